package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * {@code math.calculate}: evaluates arithmetic (+ - * / parentheses, decimals). A small recursive-descent parser,
 * so nothing the model sends is ever executed as code.
 */
final class CalculatorTool implements AgentTool {
    @Override
    public String name() {
        return "math.calculate";
    }

    @Override
    public String description() {
        return "Evaluates an arithmetic expression with + - * / and parentheses, exactly.";
    }

    @Override
    public ObjectNode parameters() {
        ObjectNode schema = Json.object().put("type", "object");
        schema.putObject("properties").putObject("expression").put("type", "string").put("description", "such as (2 + 3) * 4");
        schema.putArray("required").add("expression");
        return schema;
    }

    @Override
    public String call(JsonNode arguments) {
        String expression = arguments.path("expression").asText("");
        Parser parser = new Parser(expression);
        BigDecimal value = parser.expression();
        parser.expectEnd();
        return value.stripTrailingZeros().toPlainString();
    }

    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        BigDecimal expression() {
            BigDecimal value = term();
            while (true) {
                if (eat('+')) value = value.add(term());
                else if (eat('-')) value = value.subtract(term());
                else return value;
            }
        }

        private BigDecimal term() {
            BigDecimal value = factor();
            while (true) {
                if (eat('*')) value = value.multiply(factor());
                else if (eat('/')) {
                    BigDecimal divisor = factor();
                    if (divisor.signum() == 0) throw new IllegalArgumentException("division by zero");
                    value = value.divide(divisor, MathContext.DECIMAL64);
                } else return value;
            }
        }

        private BigDecimal factor() {
            if (eat('-')) return factor().negate();
            if (eat('(')) {
                BigDecimal value = expression();
                if (!eat(')')) throw new IllegalArgumentException("missing ) at " + at);
                return value;
            }
            skipSpaces();
            int start = at;
            while (at < text.length() && (Character.isDigit(text.charAt(at)) || text.charAt(at) == '.')) at++;
            if (start == at) throw new IllegalArgumentException("expected a number at " + at);
            if (at - start > 40) throw new IllegalArgumentException("number too long");
            return new BigDecimal(text.substring(start, at));
        }

        private boolean eat(char c) {
            skipSpaces();
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        void expectEnd() {
            skipSpaces();
            if (at != text.length()) throw new IllegalArgumentException("unexpected '" + text.charAt(at) + "' at " + at);
        }

        private void skipSpaces() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }
    }
}
