package dev.weft.engine.world;

/**
 * A story event: "then the red circle moves to the right.", "then it becomes blue.", "then it grows.",
 * "then it shrinks.", "then the blue star disappears.", "then a small pink heart appears at the top left.".
 *
 * <p>The leading "then" is optional ({@code then}): "it becomes blue." is an event too. {@code subject} is null for {@link Type#APPEAR} (the new object is {@code appeared}); {@code to} is the target
 * of a move or the place an object appears at; {@code colour} the new colour of {@link Type#BECOME}.
 */
public record Event(Type type, Subject subject, Position to, Colour colour, ObjectDescription appeared,
                    boolean then) implements Sentence {

    public enum Type { MOVE, BECOME, GROW, SHRINK, APPEAR, DISAPPEAR;

        public String id() {
            return name().toLowerCase();
        }
    }

    /** "it" ({@code pronoun}) or "the [colour] class". */
    public record Subject(boolean pronoun, Colour colour, ObjectClass cls) {
        public static final Subject IT = new Subject(true, null, null);

        public static Subject the(Colour colour, ObjectClass cls) {
            return new Subject(false, colour, cls);
        }

        public String text() {
            if (pronoun) {
                return "it";
            }
            return "the " + (colour != null ? colour.word() + " " : "") + cls.word();
        }
    }

    public static Event move(Subject s, Position to) {
        return new Event(Type.MOVE, s, to, null, null, true);
    }

    public static Event become(Subject s, Colour c) {
        return new Event(Type.BECOME, s, null, c, null, true);
    }

    public static Event grow(Subject s) {
        return new Event(Type.GROW, s, null, null, null, true);
    }

    public static Event shrink(Subject s) {
        return new Event(Type.SHRINK, s, null, null, null, true);
    }

    public static Event disappear(Subject s) {
        return new Event(Type.DISAPPEAR, s, null, null, null, true);
    }

    /** {@code what}'s position is ignored; {@code at} (may be null) is where it appears. */
    public static Event appear(ObjectDescription what, Position at) {
        return new Event(Type.APPEAR, null, at,
                null, new ObjectDescription(what.size(), what.colour(), what.cls(), null), true);
    }

    /** The same event with or without the leading "then". */
    public Event withThen(boolean t) {
        return new Event(type, subject, to, colour, appeared, t);
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder(then ? "then " : "");
        switch (type) {
            case MOVE -> sb.append(subject.text()).append(" moves to the ").append(to.phrase());
            case BECOME -> sb.append(subject.text()).append(" becomes ").append(colour.word());
            case GROW -> sb.append(subject.text()).append(" grows");
            case SHRINK -> sb.append(subject.text()).append(" shrinks");
            case DISAPPEAR -> sb.append(subject.text()).append(" disappears");
            case APPEAR -> {
                sb.append(Grammar.nounPhrase(appeared, false)).append(" appears");
                if (to != null) {
                    sb.append(" at the ").append(to.phrase());
                }
            }
        }
        return sb.append('.').toString();
    }
}
