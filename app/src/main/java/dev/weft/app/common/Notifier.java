package dev.weft.app.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The notification channel from ViewModels to Views. Publish on the UI thread. Keeps the last 50 for tests. */
public final class Notifier {
    private final List<Consumer<Notification>> subscribers = new CopyOnWriteArrayList<>();
    private final List<Notification> recent = new ArrayList<>();

    public void publish(Notification n) {
        synchronized (recent) {
            recent.add(n);
            if (recent.size() > 50) {
                recent.remove(0);
            }
        }
        for (Consumer<Notification> s : subscribers) {
            s.accept(n);
        }
    }

    public void subscribe(Consumer<Notification> s) {
        subscribers.add(s);
    }

    public List<Notification> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    public Notification last() {
        synchronized (recent) {
            return recent.isEmpty() ? null : recent.get(recent.size() - 1);
        }
    }
}
