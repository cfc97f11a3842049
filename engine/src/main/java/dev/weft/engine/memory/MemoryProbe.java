package dev.weft.engine.memory;

import ai.djl.Device;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much memory is free now, for {@link MemoryCheck}. -1 means unknown (the check is then skipped). */
public interface MemoryProbe {

    /** Bytes of physical memory this process could still use. */
    long hostAvailable();

    /** Free bytes on the device's GPU. */
    long deviceAvailable(Device device);

    /** Fixed figures (tests, and callers that know better). */
    static MemoryProbe fixed(long host, long device) {
        return new MemoryProbe() {
            @Override
            public long hostAvailable() {
                return host;
            }

            @Override
            public long deviceAvailable(Device d) {
                return device;
            }
        };
    }

    /**
     * This machine: the host figure is Linux's {@code MemAvailable} ({@code /proc/meminfo}: free memory plus what the
     * kernel can reclaim, such as the page cache) capped by a cgroup v2 memory limit, else the free physical memory
     * from {@code com.sun.management.OperatingSystemMXBean} (module jdk.management, where present); the device figure
     * is DJL's CUDA query ({@code CudaUtils.getGpuMemory}: total minus used).
     */
    static MemoryProbe system() {
        return new MemoryProbe() {
            @Override
            public long hostAvailable() {
                long avail = meminfo("MemAvailable:");
                if (avail < 0) {
                    avail = mxBeanFree();
                }
                long limit = cgroupRoom();
                return limit >= 0 && (avail < 0 || limit < avail) ? limit : avail;
            }

            @Override
            public long deviceAvailable(Device d) {
                if (d == null || !d.isGpu()) {
                    return -1;
                }
                try {
                    MemoryUsage m = ai.djl.util.cuda.CudaUtils.getGpuMemory(d);
                    return m.getMax() > 0 ? m.getMax() - m.getUsed() : -1;
                } catch (RuntimeException | LinkageError e) {
                    return -1;
                }
            }
        };
    }

    /** A field of /proc/meminfo in bytes, or -1. */
    private static long meminfo(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field)) {
                    String[] p = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(p[0]) * (p.length > 1 && p[1].equalsIgnoreCase("kB") ? 1024 : 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** memory.max - memory.current of this process's cgroup (v2), or -1 when unlimited or unknown. */
    private static long cgroupRoom() {
        try {
            Path base = Path.of("/sys/fs/cgroup");
            String max = Files.readString(base.resolve("memory.max")).trim();
            if (max.equals("max")) {
                return -1;
            }
            long used = Long.parseLong(Files.readString(base.resolve("memory.current")).trim());
            return Math.max(0, Long.parseLong(max) - used);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long mxBeanFree() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getFreeMemorySize();
            }
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
        return -1;
    }
}
