package dev.weft.app;

public final class WeftStudio { }
