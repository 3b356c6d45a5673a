package dev.switchboard.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A bounded fuzzing run in every test run (the suite sets {@code JAZZER_FUZZ=1}); docs/fuzzing.md has the longer
 * run. Without {@code JAZZER_FUZZ} it replays the inputs kept in its corpus.
 */
class ParserFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parsersRefuseHostileInputOnlyInTheirDocumentedWay(FuzzedDataProvider data) {
        ParserTargets.exercise(data);
    }
}
