package dev.weft.engine.world;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random scenes and stories. Everything is a function of the {@link SplittableRandom} passed in, so a seed fixes
 * the result.
 *
 * <p>Rules that keep pictures and text unambiguous: at most {@link Scene#MAX_OBJECTS} objects, each in its own grid
 * cell and not overlapping another much (centres at least 0.8 of the summed radii apart); no object in a colour
 * its background hides ({@link Background#allows}); no two objects of one scene share both class and colour, so
 * "the red circle" always names one object.
 */
public final class WorldGenerator {
    private static final int TRIES = 40;

    private WorldGenerator() { }

    public static <E extends Enum<E>> E pick(SplittableRandom r, E[] values) {
        return values[r.nextInt(values.length)];
    }

    /** A scene with a random background, style and {@code minObjects..maxObjects} objects. */
    public static Scene scene(SplittableRandom r, int minObjects, int maxObjects) {
        Background bg = pick(r, Background.values());
        Style style = pick(r, Style.values());
        int n = minObjects + r.nextInt(maxObjects - minObjects + 1);
        return scene(r, bg, style, n);
    }

    public static Scene scene(SplittableRandom r, Background bg, Style style, int objects) {
        long detailSeed = r.nextLong();
        List<SceneObject> objs = new ArrayList<>();
        for (int k = 0; k < objects; k++) {
            SceneObject o = newObject(r, objs.size(), bg, objs);
            if (o != null) {
                objs.add(o);
            }
        }
        if (objs.isEmpty()) {
            throw new IllegalStateException("no room for an object");
        }
        return new Scene(bg, style, objs, detailSeed);
    }

    /** A new object that fits among {@code others}, or null if none was found in a few tries. */
    public static SceneObject newObject(SplittableRandom r, int id, Background bg, List<SceneObject> others) {
        for (int t = 0; t < TRIES; t++) {
            ObjectClass cls = pick(r, ObjectClass.values());
            Colour colour = pick(r, Colour.values());
            Size size = pick(r, Size.values());
            Position pos = pick(r, Position.values());
            double tilt = cls.maxTilt() == 0 ? 0 : r.nextDouble(-cls.maxTilt(), cls.maxTilt());
            SceneObject o = new SceneObject(id, cls, colour, size, pos, r.nextDouble(-4, 4), r.nextDouble(-4, 4),
                    tilt, cls.mirrors() && r.nextBoolean());
            if (bg.allows(colour) && fits(o, others)) {
                return o;
            }
        }
        return null;
    }

    /** Own cell, little overlap, unique (class, colour) among the others (an object of the same id is skipped). */
    public static boolean fits(SceneObject o, List<SceneObject> others) {
        for (SceneObject p : others) {
            if (p.id() == o.id()) {
                continue;
            }
            if (p.position() == o.position() || (p.cls() == o.cls() && p.colour() == o.colour())) {
                return false;
            }
            if (Math.hypot(p.x() - o.x(), p.y() - o.y()) < 0.8 * (p.radius() + o.radius())) {
                return false;
            }
        }
        return true;
    }

    /** A story of 3..6 scenes (see {@link Story}). */
    public static Story story(SplittableRandom r) {
        while (true) {
            Story s = tryStory(r);
            if (s != null) {
                return s;
            }
        }
    }

    /** A story, or null in the (never observed) case that no event fits before it has its length. */
    private static Story tryStory(SplittableRandom r) {
        int n = Story.MIN_SCENES + r.nextInt(Story.MAX_SCENES - Story.MIN_SCENES + 1);
        int first = 1 + r.nextInt(2) + (r.nextInt(4) == 0 ? 1 : 0);
        Scene s = scene(r, pick(r, Background.values()), pick(r, Style.values()), first);
        List<Scene> scenes = new ArrayList<>(List.of(s));
        List<Sentence> sentences = new ArrayList<>(List.of(s.caption()));
        List<Integer> subjects = new ArrayList<>(List.of(-1));
        int prev = s.objects().size() == 1 ? s.objects().get(0).id() : -1;
        int nextId = s.objects().stream().mapToInt(SceneObject::id).max().orElse(-1) + 1;
        while (scenes.size() < n) {
            Step step = step(r, s, prev, nextId);
            if (step == null) {
                return null;
            }
            s = step.scene;
            scenes.add(s);
            // "then" opens most events; now and then it is left out ("it becomes blue.")
            sentences.add(step.event.withThen(r.nextDouble() < 0.8));
            subjects.add(step.subject);
            if (step.event.type() == Event.Type.APPEAR) {
                nextId++;
            }
            prev = step.event.type() == Event.Type.DISAPPEAR ? -1 : step.subject;
        }
        return new Story(scenes, sentences, subjects);
    }

    private record Step(Scene scene, Event event, int subject) { }

    private static Step step(SplittableRandom r, Scene s, int prev, int nextId) {
        List<SceneObject> objs = s.objects();
        for (int t = 0; t < TRIES; t++) {
            double u = r.nextDouble();
            boolean samePrev = prev >= 0 && r.nextDouble() < 0.55;
            SceneObject o = samePrev ? s.byId(prev) : objs.get(r.nextInt(objs.size()));
            Event.Subject subj = o.id() == prev && r.nextDouble() < 0.7
                    ? Event.Subject.IT : Event.Subject.the(o.colour(), o.cls());
            SceneObject changed = null;
            Event ev = null;
            if (u < 0.36) {
                Position to = pick(r, Position.values());
                if (to != o.position()) {
                    changed = o.withPosition(to);
                    ev = Event.move(subj, to);
                }
            } else if (u < 0.60) {
                Colour c = pick(r, Colour.values());
                if (c != o.colour() && s.background().allows(c)) {
                    changed = o.withColour(c);
                    ev = Event.become(subj, c);
                }
            } else if (u < 0.72) {
                if (o.size().bigger() != null) {
                    changed = o.withSize(o.size().bigger());
                    ev = Event.grow(subj);
                }
            } else if (u < 0.84) {
                if (o.size().smaller() != null) {
                    changed = o.withSize(o.size().smaller());
                    ev = Event.shrink(subj);
                }
            } else if (u < 0.94) {
                if (objs.size() < Scene.MAX_OBJECTS) {
                    SceneObject a = newObject(r, nextId, s.background(), objs);
                    if (a != null) {
                        List<SceneObject> more = new ArrayList<>(objs);
                        more.add(a);
                        return new Step(s.withObjects(more), Event.appear(a.describe(), a.position()), a.id());
                    }
                }
            } else if (objs.size() > 1) {
                List<SceneObject> fewer = new ArrayList<>(objs);
                fewer.remove(o);
                return new Step(s.withObjects(fewer), Event.disappear(subj), o.id());
            }
            if (changed != null && fits(changed, objs)) {
                List<SceneObject> next = new ArrayList<>(objs);
                next.set(objs.indexOf(o), changed);
                return new Step(s.withObjects(next), ev, o.id());
            }
        }
        return null;
    }
}
