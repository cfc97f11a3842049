package dev.weft.app.project;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The studio's own settings in the config folder ({@code settings.json}): recent projects and the theme. A missing
 * or unreadable file gives the defaults; writing is best effort (settings are not worth an error dialog).
 */
public final class StudioSettings {
    public static final int MAX_RECENT = 10;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;
    private Data data;

    record Data(List<String> recent, boolean dark) {
        Data {
            recent = recent == null ? List.of() : List.copyOf(recent);
        }
    }

    public StudioSettings(Path configDir) {
        this.file = configDir.resolve("settings.json");
        Data d;
        try {
            d = Files.isRegularFile(file) ? JSON.readValue(file.toFile(), Data.class) : null;
        } catch (IOException | RuntimeException e) {
            d = null;
        }
        this.data = d != null ? d : new Data(List.of(), false);
    }

    /** The folder the config folder defaults to: {@code -Dweft.config}, else {@code $XDG_CONFIG_HOME/weft}. */
    public static Path defaultConfigDir() {
        String p = System.getProperty("weft.config");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("weft");
    }

    public List<Path> recent() {
        List<Path> out = new ArrayList<>();
        for (String s : data.recent()) {
            out.add(Path.of(s));
        }
        return out;
    }

    public void addRecent(Path p) {
        String s = p.toAbsolutePath().normalize().toString();
        List<String> l = new ArrayList<>(data.recent());
        l.remove(s);
        l.add(0, s);
        while (l.size() > MAX_RECENT) {
            l.remove(l.size() - 1);
        }
        data = new Data(l, data.dark());
        store();
    }

    public void removeRecent(Path p) {
        List<String> l = new ArrayList<>(data.recent());
        l.remove(p.toAbsolutePath().normalize().toString());
        data = new Data(l, data.dark());
        store();
    }

    public boolean dark() {
        return data.dark();
    }

    public void setDark(boolean dark) {
        data = new Data(data.recent(), dark);
        store();
    }

    private void store() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".settings", ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(data));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
