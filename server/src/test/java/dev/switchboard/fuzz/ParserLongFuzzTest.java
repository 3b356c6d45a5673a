package dev.switchboard.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** The same targets for an hour: run on demand (docs/fuzzing.md), not in the suite. */
class ParserLongFuzzTest {
    @FuzzTest(maxDuration = "1h")
    void parsersRefuseHostileInputOnlyInTheirDocumentedWay(FuzzedDataProvider data) {
        ParserTargets.exercise(data);
    }
}
