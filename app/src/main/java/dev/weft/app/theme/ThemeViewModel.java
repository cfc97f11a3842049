package dev.weft.app.theme;

import dev.weft.app.project.StudioSettings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;

/** Light or dark; remembered in the studio's settings. */
public final class ThemeViewModel {
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark");

    public ThemeViewModel(StudioSettings settings) {
        dark.set(settings.dark());
        dark.addListener((o, a, b) -> settings.setDark(b));
    }

    public BooleanProperty darkProperty() {
        return dark;
    }
}
