package io.spendstream.chdb;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * Saves and restores the process's signal handlers through libc {@code sigaction}.
 *
 * <p>libchdb installs ClickHouse's own handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and more when it
 * connects. The JVM relies on its SIGSEGV handler for implicit null checks and safepoints: with
 * ClickHouse's handler in place, the first NullPointerException raised from compiled code kills the
 * JVM (exit 139). chDB's own switches (chdb_set_signal_handlers_enabled, chdb_reset_signal_handlers)
 * do not prevent that. So every handler the JVM had installed is saved before libchdb is loaded and
 * connected, and put back afterwards. Handlers the JVM left at their default are left to chDB.
 *
 * <p>Only the opaque bytes of {@code struct sigaction} are copied, so the layout does not matter,
 * only an upper bound of its size (152 bytes on x86_64 glibc; 256 are reserved).
 */
final class SignalHandlers {
    private static final int SIGACTION_BYTES = 256;
    private static final int SIGKILL = 9;
    private static final int SIGSTOP = 19;
    private static final int LAST_STANDARD_SIGNAL = 31;

    private static final MethodHandle SIGACTION;

    static {
        Linker linker = Linker.nativeLinker();
        SIGACTION = linker.downcallHandle(
                linker.defaultLookup().find("sigaction").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    private final Map<Integer, MemorySegment> saved;

    private SignalHandlers(Map<Integer, MemorySegment> saved) {
        this.saved = saved;
    }

    /** Records every signal whose handler is not SIG_DFL. */
    static SignalHandlers save() {
        Map<Integer, MemorySegment> saved = new HashMap<>();
        Arena arena = Arena.global();
        for (int sig = 1; sig <= LAST_STANDARD_SIGNAL; sig++) {
            if (sig == SIGKILL || sig == SIGSTOP) {
                continue;
            }
            MemorySegment old = arena.allocate(SIGACTION_BYTES);
            if (call(sig, MemorySegment.NULL, old) != 0) {
                continue;
            }
            long handler = old.get(ValueLayout.JAVA_LONG, 0);
            if (handler != 0L) { // 0 is SIG_DFL
                saved.put(sig, old);
            }
        }
        return new SignalHandlers(saved);
    }

    /** Puts back every handler recorded by {@link #save()}; returns how many were changed meanwhile. */
    int restore() {
        int changed = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment now = arena.allocate(SIGACTION_BYTES);
            for (var e : saved.entrySet()) {
                call(e.getKey(), MemorySegment.NULL, now);
                if (now.get(ValueLayout.JAVA_LONG, 0) != e.getValue().get(ValueLayout.JAVA_LONG, 0)) {
                    changed++;
                }
                if (call(e.getKey(), e.getValue(), MemorySegment.NULL) != 0) {
                    throw new ChdbException("sigaction(" + e.getKey() + ") failed while restoring the JVM's handler");
                }
            }
        }
        return changed;
    }


    private static int call(int sig, MemorySegment act, MemorySegment old) {
        try {
            return (int) SIGACTION.invokeExact(sig, act, old);
        } catch (Throwable t) {
            throw new ChdbException("sigaction failed", t);
        }
    }
}
