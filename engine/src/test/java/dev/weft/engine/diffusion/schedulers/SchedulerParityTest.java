package dev.weft.engine.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.SchedulerConfig;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The three samplers against engine/training/fixtures/export_schedulers.py: whole runs with the dummy model
 * eps = 0.1 x + pattern * t / 1000, every intermediate x compared, timestep lists compared exactly.
 *
 * <p>The dummy model is not a denoiser, so samples grow to |x| ~ 40; fp32 rounding (about 1e-7 relative per op,
 * amplified by 1 / sqrt(abar_t) in the x_0 estimate) stays far below the 1e-4 tolerance.
 */
class SchedulerParityTest {
    private static final SchedulerConfig CFG = SchedulerConfig.sd21Base();

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    private static int[] ints(Fixture f, String name) {
        return Arrays.stream(f.longs(name)).mapToInt(Math::toIntExact).toArray();
    }

    /** Runs a whole chain from x_start, each step inside its own NDScope as a pipeline would. */
    private static void replay(Fixture f, Scheduler s, int n, String name) {
        int[] ts = s.timesteps(n);
        assertArrayEquals(ints(f, name + ".timesteps"), ts, name + " timesteps");
        NDArray pattern = f.get("pattern");
        NDArray expected = f.get(name + ".xs");
        int[] used = {0};
        StepNoise replay = StepNoise.replay(f.get("noises"));
        StepNoise counting = (m, shape) -> {
            used[0]++;
            return replay.next(m, shape);
        };
        NDArray x = f.get("x_start");
        for (int i = 0; i < ts.length; i++) {
            int t = ts[i];
            NDArray prev = x;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray in = s.scaleModelInput(prev, t);
                NDArray eps = in.mul(0.1f).add(pattern.mul(t / 1000f));
                x = s.step(eps, t, prev, counting);
                NDScope.unregister(x);
            }
            Tolerances.assertClose(name + " x after t=" + t, expected.get(i), x, Tolerances.BLOCK);
        }
        assertEquals(f.longs(name + ".noises_used")[0], used[0], name + " noise tensors drawn");
    }

    @Test
    void alphasCumprodMatchesTorch() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("schedulers", m)) {
            NDArray ours = m.create(new NoiseSchedule(CFG).alphasCumprod());
            Tolerances.assertClose("alphas_cumprod", f.get("alphas_cumprod"), ours, 1e-6);
        }
    }

    @Test
    void ddpmMatches() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("schedulers", m);
             Scheduler s = SchedulerKind.DDPM.create(CFG)) {
            replay(f, s, 10, "ddpm");
        }
    }

    @Test
    void ddimMatches() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("schedulers", m)) {
            replay(f, new DDIMScheduler(CFG), 10, "ddim");
            replay(f, new DDIMScheduler(CFG, 1f, TimestepSpacing.LEADING), 10, "ddim_eta1");
        }
    }

    @Test
    void dpmSolverMatches() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("schedulers", m);
             Scheduler s = SchedulerKind.DPM_SOLVER_PP_2M.create(CFG)) {
            replay(f, s, 10, "dpm");
            replay(f, s, 20, "dpm20"); // reuse: timesteps(n) resets the multistep state
        }
    }

    @Test
    void timestepListsMatch() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("schedulers", m)) {
            for (int n : new int[] {1, 7, 30, 250}) {
                assertArrayEquals(ints(f, "ddpm.timesteps_" + n), new DDPMScheduler(CFG).timesteps(n), "ddpm " + n);
                assertArrayEquals(ints(f, "ddpm.timesteps_" + n), new DDIMScheduler(CFG).timesteps(n), "ddim " + n);
                assertArrayEquals(ints(f, "dpm.timesteps_" + n), new DPMSolverMultistepScheduler(CFG).timesteps(n),
                        "dpm " + n);
            }
            for (TimestepSpacing sp : TimestepSpacing.values()) {
                String key = sp.name().toLowerCase();
                assertArrayEquals(ints(f, "ddpm.timesteps_30_" + key), new DDPMScheduler(CFG, sp).timesteps(30),
                        "ddpm 30 " + key);
                assertArrayEquals(ints(f, "dpm.timesteps_30_" + key),
                        new DPMSolverMultistepScheduler(CFG, sp).timesteps(30), "dpm 30 " + key);
            }
            System.out.println("ddpm 30 steps: " + Arrays.toString(new DDPMScheduler(CFG).timesteps(30)));
        }
    }

    @Test
    void addNoiseMatches() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("schedulers", m)) {
            Scheduler s = new DDPMScheduler(CFG);
            NDArray x0 = f.get("x_start");
            NDArray z = f.get("noises").get(0);
            Tolerances.assertClose("add_noise t=500", f.get("add_noise.out500"), s.addNoise(x0, z, 500), 1e-6);
            Tolerances.assertClose("add_noise t=1", f.get("add_noise.out1"), s.addNoise(x0, z, 1), 1e-6);
        }
    }

    @Test
    void rejectsBadInput() {
        try (NDManager m = NDManager.newBaseManager()) {
            Scheduler s = new DDPMScheduler(CFG);
            s.timesteps(10);
            NDArray x = m.zeros(new Shape(1, 4, 2, 2));
            assertThrows(IllegalArgumentException.class, () -> s.step(m.zeros(new Shape(1, 4, 2, 3)), 901, x,
                    StepNoise.seeded(1)));
            assertThrows(IllegalStateException.class, () -> s.step(x, 901, x, StepNoise.NONE));
            assertThrows(IllegalArgumentException.class, () -> s.timesteps(0));
            assertThrows(IllegalArgumentException.class, () -> new DDPMScheduler(
                    new SchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", "v_prediction", 1)));
            // seeded noise is reproducible
            Tolerances.assertClose("seeded noise", StepNoise.seeded(7).next(m, x.getShape()),
                    StepNoise.seeded(7).next(m, x.getShape()), 0);
        }
    }
}
