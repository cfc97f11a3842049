package dev.weft.engine.world;

/**
 * The attributes a noun phrase names: "a small red circle at the left". Any field but {@code cls} may be null
 * when the sentence leaves it out (generated captions always name all four).
 */
public record ObjectDescription(Size size, Colour colour, ObjectClass cls, Position position) {
}
