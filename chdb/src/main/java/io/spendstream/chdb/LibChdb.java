package io.spendstream.chdb;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** Downcall handles for the C API of libchdb (chdb.h); loaded once per process. */
final class LibChdb {
    final Path path;
    final MethodHandle connect;          // chdb_connection* chdb_connect(int argc, char** argv)
    final MethodHandle closeConn;        // void chdb_close_conn(chdb_connection*)
    final MethodHandle queryN;           // chdb_result* chdb_query_n(conn, q, qlen, fmt, fmtlen)
    final MethodHandle queryWithParamsN; // chdb_result* chdb_query_with_params_n(conn, q, qlen, fmt, fmtlen, names, nlens, values, vlens, n)
    final MethodHandle resultBuffer;     // char* chdb_result_buffer(chdb_result*)
    final MethodHandle resultLength;     // size_t chdb_result_length(chdb_result*)
    final MethodHandle resultError;      // const char* chdb_result_error(chdb_result*), NULL on success
    final MethodHandle resultRowsRead;   // uint64 chdb_result_rows_read(chdb_result*)
    final MethodHandle resultRowsWritten;// uint64 chdb_result_rows_written(chdb_result*)
    final MethodHandle resultElapsed;    // double chdb_result_elapsed(chdb_result*)
    final MethodHandle destroyResult;    // void chdb_destroy_query_result(chdb_result*)

    private LibChdb(Path path) {
        this.path = path;
        SymbolLookup lib = SymbolLookup.libraryLookup(path, Arena.global());
        Linker linker = Linker.nativeLinker();
        connect = handle(linker, lib, "chdb_connect", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
        closeConn = handle(linker, lib, "chdb_close_conn", FunctionDescriptor.ofVoid(ADDRESS));
        queryN = handle(linker, lib, "chdb_query_n",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
        queryWithParamsN = handle(linker, lib, "chdb_query_with_params_n",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG,
                        ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        resultBuffer = handle(linker, lib, "chdb_result_buffer", FunctionDescriptor.of(ADDRESS, ADDRESS));
        resultLength = handle(linker, lib, "chdb_result_length", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultError = handle(linker, lib, "chdb_result_error", FunctionDescriptor.of(ADDRESS, ADDRESS));
        resultRowsRead = handle(linker, lib, "chdb_result_rows_read", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultRowsWritten = handle(linker, lib, "chdb_result_rows_written", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultElapsed = handle(linker, lib, "chdb_result_elapsed", FunctionDescriptor.of(JAVA_DOUBLE, ADDRESS));
        destroyResult = handle(linker, lib, "chdb_destroy_query_result", FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        return linker.downcallHandle(
                lib.find(name).orElseThrow(() -> new ChdbException("libchdb has no symbol " + name + ": wrong version?")),
                fd);
    }

    private static LibChdb instance;

    /** Loads the library once; the JVM's signal handlers are the caller's to protect. */
    static synchronized LibChdb load(Path path) {
        if (instance == null) {
            instance = new LibChdb(path);
        } else if (!instance.path.equals(path)) {
            throw new ChdbException("libchdb is already loaded from " + instance.path + "; cannot load " + path);
        }
        return instance;
    }
}
