package dev.switchboard.eval;

/** One check of one answer: what was checked, whether it held, and what was seen. */
record Grade(String check, boolean passed, String detail) {
    static Grade pass(String check, String detail) {
        return new Grade(check, true, detail);
    }

    static Grade fail(String check, String detail) {
        return new Grade(check, false, detail);
    }
}
