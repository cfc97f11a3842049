package dev.weft.app.queue;

import dev.weft.app.testing.ManualExecutor;
import dev.weft.app.testing.UiQueue;
import dev.weft.engine.pipeline.CancellationToken;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue with stand-in work: order, pause and resume, cancel (queued and running), errors. */
class JobQueueTest {
    private final List<String> log = new ArrayList<>();

    private GenerationJob.Spec<String> spec(String name, GenerationJob.Work<String> work) {
        return new GenerationJob.Spec<>() {
            @Override
            public GenerationJob.Work<String> start() {
                log.add("start " + name);
                return work;
            }

            @Override
            public void textStart() {
                log.add("text start");
            }

            @Override
            public void token(String text) {
                log.add("token " + text);
            }

            @Override
            public void textEnd(String text) {
                log.add("text end " + text);
            }

            @Override
            public void imageStart(int index) {
                log.add("image start " + index);
            }

            @Override
            public void image(int index, java.awt.image.BufferedImage image) {
                log.add("image " + index);
            }

            @Override
            public void succeeded(String result) {
                log.add("ok " + result);
            }

            @Override
            public void finished(JobStatus status) {
                log.add("end " + name + " " + status);
            }
        };
    }

    @Test
    void runsInOrderOneAtATime() {
        ManualExecutor worker = new ManualExecutor();
        JobQueue q = new JobQueue(worker, Runnable::run);
        GenerationJob a = q.submit("a", spec("a", (l, c) -> {
            l.onToken(5, "x");
            return "A";
        }));
        GenerationJob b = q.submit("b", spec("b", (l, c) -> "B"));
        assertEquals(JobStatus.RUNNING, a.getStatus());
        assertEquals(JobStatus.QUEUED, b.getStatus());
        assertEquals(1, worker.pending(), "only one job at a time");
        worker.runNext();
        assertEquals(JobStatus.SUCCEEDED, a.getStatus());
        assertEquals(JobStatus.RUNNING, b.getStatus());
        worker.runAll();
        assertEquals(List.of("start a", "token x", "ok A", "end a SUCCEEDED", "start b", "ok B",
                "end b SUCCEEDED"), log);
    }

    @Test
    void pauseHoldsTheRestAndResumeGoesOn() {
        ManualExecutor worker = new ManualExecutor();
        JobQueue q = new JobQueue(worker, Runnable::run);
        GenerationJob a = q.submit("a", spec("a", (l, c) -> "A"));
        GenerationJob b = q.submit("b", spec("b", (l, c) -> "B"));
        q.pausedProperty().set(true);
        worker.runAll();
        assertEquals(JobStatus.SUCCEEDED, a.getStatus(), "the running job finishes");
        assertEquals(JobStatus.QUEUED, b.getStatus(), "the next one waits while paused");
        q.pausedProperty().set(false);
        worker.runAll();
        assertEquals(JobStatus.SUCCEEDED, b.getStatus());
    }

    @Test
    void waitsUntilReady() {
        ManualExecutor worker = new ManualExecutor();
        JobQueue q = new JobQueue(worker, Runnable::run);
        q.readyProperty().set(false);
        GenerationJob a = q.submit("a", spec("a", (l, c) -> "A"));
        assertEquals(JobStatus.QUEUED, a.getStatus());
        q.readyProperty().set(true);
        worker.runAll();
        assertEquals(JobStatus.SUCCEEDED, a.getStatus());
    }

    @Test
    void cancelQueuedJob() {
        ManualExecutor worker = new ManualExecutor();
        JobQueue q = new JobQueue(worker, Runnable::run);
        q.submit("a", spec("a", (l, c) -> "A"));
        GenerationJob b = q.submit("b", spec("b", (l, c) -> "B"));
        q.cancel(b);
        assertEquals(JobStatus.CANCELLED, b.getStatus());
        worker.runAll();
        assertTrue(!log.contains("start b"), "a cancelled job never starts");
    }

    @Test
    void cancelRunningJobAtItsNextCheck() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        UiQueue ui = new UiQueue();
        try {
            JobQueue q = new JobQueue(worker, ui);
            CountDownLatch started = new CountDownLatch(1);
            GenerationJob a = q.submit("a", spec("a", (l, c) -> {
                started.countDown();
                for (int i = 0; i < 1000; i++) {
                    c.check();
                    Thread.sleep(5);
                }
                return "never";
            }));
            GenerationJob b = q.submit("b", spec("b", (l, c) -> "B"));
            assertTrue(started.await(5, TimeUnit.SECONDS));
            q.cancel(a);
            ui.runUntil(() -> b.getStatus().isFinished(), 5000);
            assertEquals(JobStatus.CANCELLED, a.getStatus());
            assertEquals(JobStatus.SUCCEEDED, b.getStatus(), "the queue goes on after a cancel");
            assertNull(q.runningProperty().get());
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void nothingReachesTheDocumentAfterACancelRequest() {
        ManualExecutor worker = new ManualExecutor();
        UiQueue ui = new UiQueue();
        JobQueue q = new JobQueue(worker, ui);
        GenerationJob[] self = new GenerationJob[1];
        self[0] = q.submit("a", spec("a", (l, c) -> {
            l.onToken(1, "before");
            ui.drain(); // "before" reaches the document
            q.cancel(self[0]); // then the user cancels while tokens are still in flight (one thread here)
            l.onToken(2, "after");
            l.onImage(0, new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB));
            c.check();
            return "never";
        }));
        worker.runAll();
        ui.drain();
        assertEquals(JobStatus.CANCELLED, self[0].getStatus());
        assertEquals(List.of("start a", "token before", "end a CANCELLED"), log);
    }

    @Test
    void failureIsShownOnTheJobAndTheQueueGoesOn() {
        ManualExecutor worker = new ManualExecutor();
        JobQueue q = new JobQueue(worker, Runnable::run);
        GenerationJob a = q.submit("a", spec("a", (l, c) -> {
            throw new IllegalArgumentException("image pixels: expected (1, 3, H, W)");
        }));
        GenerationJob b = q.submit("b", new GenerationJob.Spec<String>() {
            @Override
            public GenerationJob.Work<String> start() {
                throw new IllegalStateException("the model is not loaded yet");
            }
        });
        GenerationJob c = q.submit("c", spec("c", (l, t) -> "C"));
        worker.runAll();
        assertEquals(JobStatus.FAILED, a.getStatus());
        assertEquals("image pixels: expected (1, 3, H, W)", a.getError());
        assertEquals(JobStatus.FAILED, b.getStatus());
        assertEquals("the model is not loaded yet", b.getError());
        assertEquals(JobStatus.SUCCEEDED, c.getStatus());
        assertTrue(log.contains("end a FAILED"), "finished runs on failure too");
    }

    @Test
    void cancelledBeforeTheWorkRanNeverRunsIt() {
        ManualExecutor worker = new ManualExecutor();
        JobQueue q = new JobQueue(worker, Runnable::run);
        GenerationJob a = q.submit("a", spec("a", (l, c) -> {
            log.add("ran");
            return "A";
        }));
        q.cancel(a);
        worker.runAll();
        assertEquals(JobStatus.CANCELLED, a.getStatus());
        assertTrue(!log.contains("ran"));
        CancellationToken.NEVER.check();
    }

    @Test
    void theEnginesTextAndImageEventsReachTheSpecInOrder() {
        ManualExecutor worker = new ManualExecutor();
        UiQueue ui = new UiQueue();
        JobQueue q = new JobQueue(worker, ui);
        GenerationJob a = q.submit("a", spec("a", (l, c) -> {
            l.onTextStart();
            l.onToken(1, " a");
            l.onToken(2, "fox");
            l.onTextEnd("a fox");
            l.onImageStart(3);
            l.onImageStep(1, 2, () -> new java.awt.image.BufferedImage(1, 1,
                    java.awt.image.BufferedImage.TYPE_INT_RGB));
            l.onImage(3, new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB));
            return "A";
        }));
        worker.runNext();
        ui.drain();
        assertEquals(List.of("start a", "text start", "token  a", "token fox", "text end a fox", "image start 3",
                "image 3", "ok A", "end a SUCCEEDED"), log);
        assertEquals(JobStatus.SUCCEEDED, a.getStatus());
    }

    @Test
    void quietJobsLeaveTheListWhenDoneUnlessTheyFailed() {
        ManualExecutor worker = new ManualExecutor();
        JobQueue q = new JobQueue(worker, Runnable::run);
        GenerationJob loud = q.submit("loud", spec("loud", (l, c) -> "L"));
        GenerationJob ok = q.submit("quiet", spec("quiet", (l, c) -> "Q"), true);
        GenerationJob bad = q.submit("bad", spec("bad", (l, c) -> {
            throw new IllegalStateException("broken");
        }), true);
        GenerationJob cancelled = q.submit("gone", spec("gone", (l, c) -> "G"), true);
        assertTrue(q.jobs().contains(ok), "shown while it waits");
        q.cancel(cancelled);
        worker.runAll();
        assertEquals(List.of(bad, loud), q.jobs());
        assertEquals(JobStatus.SUCCEEDED, ok.getStatus());
        assertEquals("broken", bad.getError());
    }
}
