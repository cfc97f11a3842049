package dev.weft.engine.world;

/** A sentence of the world grammar: a scene caption or a story event. See {@link Grammar}. */
public sealed interface Sentence permits Caption, Event {
    /** The canonical text (lower case, punctuation attached): what the generator writes. */
    String text();
}
