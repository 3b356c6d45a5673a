package dev.switchboard.eval;

import java.util.List;

/**
 * How one scenario went: each turn's answer and grades, or the error that stopped it before its turns ran.
 *
 * @param sessionId the agent session the conversation was held in, for looking it up on the admin page
 */
record ScenarioResult(Scenario scenario, String sessionId, List<TurnOutcome> turns, String error, long durationMs) {

    /** One turn: what was said, what came back (after {@code attempts} tries), and its grades. */
    record TurnOutcome(String user, TurnResult result, List<Grade> grades, int attempts) {
        boolean passed() {
            return grades.stream().allMatch(Grade::passed);
        }
    }

    boolean passed() {
        return error == null && turns.stream().allMatch(TurnOutcome::passed);
    }

    long checks() {
        return turns.stream().mapToLong(t -> t.grades().size()).sum();
    }

    long checksPassed() {
        return turns.stream().mapToLong(t -> t.grades().stream().filter(Grade::passed).count()).sum();
    }

    long tokens() {
        return turns.stream().mapToLong(t -> t.result().totalTokens()).sum();
    }

    /** Every failed check, as "turn N: check — detail". */
    List<String> failures() {
        if (error != null) return List.of(error);
        java.util.List<String> failures = new java.util.ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
            for (Grade grade : turns.get(i).grades()) {
                if (!grade.passed()) failures.add("turn " + (i + 1) + ": " + grade.check() + " — " + grade.detail());
            }
        }
        return failures;
    }
}
