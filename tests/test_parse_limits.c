/* Bounded parsers (issue 12): input from anyone must end in a result or an error naming the
 * file, never a crash or a stall. YAML nesting is bounded (a file and a --set), a mapping of
 * very many keys costs linear time, a damaged HDF5 trace (even one that makes libhdf5 itself
 * die) is an error naming the file, and `ccsim import` never replaces its input. Expected
 * positions and limits are worked out from the inputs by hand. */
#include "helpers.h"

#include "ccs_time.h"
#include "ccs_trace.h"
#include "ccs_yaml.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* n copies of open followed by n of close, e.g. "[[]]" for ("[", "]", 2). */
static char *nested(const char *open, const char *close, size_t n, const char *prefix)
{
    size_t lp = strlen(prefix), lo = strlen(open), lc = strlen(close);
    char *s = malloc(lp + n * (lo + lc) + 1), *p = s;
    cr_assert_not_null(s);
    memcpy(p, prefix, lp);
    p += lp;
    for (size_t i = 0; i < n; i++, p += lo) memcpy(p, open, lo);
    for (size_t i = 0; i < n; i++, p += lc) memcpy(p, close, lc);
    *p = '\0';
    return s;
}

/* ---- YAML nesting ---- */

/* 60,000 '[' (the 120 KB file, closed here so that only depth is wrong): the 65th
 * bracket, at column 65, is one level too deep. Today's recursive builder overflows the stack. */
Test(parse_limits, yaml_deep_nesting_is_an_error_at_the_first_level_too_deep)
{
    char *text = nested("[", "]", 60000, "");
    ccs_ynode *root = NULL;
    ccs_err err = {0};
    int rc = ccs_yaml_parse(text, strlen(text), "deep.yaml", &root, &err);
    cr_assert_eq(rc, CCS_EINPUT, "%s", err.msg);
    cr_assert_null(root);
    cr_assert(strstr(err.msg, "deep.yaml:1:65: nesting deeper than 64 levels"), "%s", err.msg);
    free(text);
}

/* The limit is exactly CCS_YAML_MAX_DEPTH = 64: 64 nested lists load, 65 do not; mappings
 * count like lists ("{a: " opens one level: the 65th at column 1 + 64 * 4 = 257). */
Test(parse_limits, yaml_nesting_limit_is_64_levels_of_lists_or_mappings)
{
    cr_assert_eq(CCS_YAML_MAX_DEPTH, 64);
    ccs_ynode *root = NULL;
    ccs_err err = {0};
    char *ok = nested("[", "]", 64, "");
    cr_assert_eq(ccs_yaml_parse(ok, strlen(ok), "ok.yaml", &root, &err), 0, "%s", err.msg);
    const ccs_ynode *n = root;
    int levels = 0;
    for (; n && n->type == CCS_Y_SEQ; n = n->n ? n->items[0] : NULL) levels++;
    cr_assert_eq(levels, 64);
    ccs_yaml_free(root);
    free(ok);

    char *maps = nested("{a: ", "}", 65, "");
    cr_assert_eq(ccs_yaml_parse(maps, strlen(maps), "m.yaml", &root, &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "m.yaml:1:257: nesting deeper than 64 levels"), "%s", err.msg);
    free(maps);

    /* block style counts the same: 65 mappings, key k<i> indented by i spaces */
    char *block = malloc(65 * 80 + 100), line[100];
    block[0] = '\0';
    for (int i = 0; i < 65; i++) {
        snprintf(line, sizeof line, "%*sk%d:\n", i, "", i);
        strcat(block, line);
    }
    snprintf(line, sizeof line, "%*sx: 1\n", 66, "");
    strcat(block, line);
    cr_assert_eq(ccs_yaml_parse(block, strlen(block), "b.yaml", &root, &err), CCS_EINPUT);
    /* level 65 is the mapping holding k64, which starts at line 65, column 65 */
    cr_assert(strstr(err.msg, "b.yaml:65:65: nesting deeper than 64 levels"), "%s", err.msg);
    free(block);
}

/* The same through the CLI: exit 2 and the file's position, not SIGSEGV (139). */
Test(parse_limits, ccsim_run_refuses_a_deeply_nested_file)
{
    const char *dir = tmp_folder();
    char *text = nested("[", "", 60000, "");
    const char *yaml = write_text(dir, "deep.yaml", text);
    free(text);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", NULL});
    cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "deep.yaml:1:65: nesting deeper than 64 levels"), "%s", r.err);
}

/* --set VALUE is parsed as YAML under the path's keys: a one-key path leaves 63 levels for
 * the value, so its 64th '[' (column 64 of the value) is refused, naming the --set. */
Test(parse_limits, set_value_nesting_is_bounded_and_names_the_set)
{
    ccs_ynode *root = NULL;
    ccs_err err = {0};
    cr_assert_eq(ccs_yaml_parse("a: 1\n", 5, "s.yaml", &root, &err), 0);
    char *set = nested("[", "", 60000, "x=");
    cr_assert_eq(ccs_yaml_set(root, set, "--set 'x=[[['", &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "--set 'x=[[['"), "%s", err.msg);
    cr_assert(strstr(err.msg, ":1:64: nesting deeper than 64 levels"), "%s", err.msg);
    free(set);
    /* 63 levels fit under a one-key path; the tree is whole afterwards */
    char *fits = nested("[", "]", 63, "x=");
    cr_assert_eq(ccs_yaml_set(root, fits, "--set fits", &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_yaml_get(root, "x")->type, CCS_Y_SEQ);
    free(fits);
    ccs_yaml_free(root);
}

/* A path of many keys nests as deep as its keys: 65 keys are refused, 64 (a scalar at the
 * end) fit, and 63 keys with a two-level value are one too many. */
Test(parse_limits, set_path_keys_count_towards_the_limit)
{
    char path[65 * 2 + 16];
    ccs_ynode *root = NULL;
    ccs_err err = {0};
    cr_assert_eq(ccs_yaml_parse("", 0, "s.yaml", &root, &err), 0);
    path[0] = '\0';
    for (int i = 0; i < 65; i++) strcat(path, i ? ".a" : "a");
    strcat(path, "=1");
    cr_assert_eq(ccs_yaml_set(root, path, "--set long", &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "a path of 65 keys: nesting deeper than 64 levels"), "%s", err.msg);
    path[strlen(path) - 4] = '\0'; /* drop ".a=1": 64 keys */
    strcat(path, "=1");
    cr_assert_eq(ccs_yaml_set(root, path, "--set 64", &err), 0, "%s", err.msg);
    path[0] = '\0';
    for (int i = 0; i < 63; i++) strcat(path, i ? ".b" : "b");
    strcat(path, "=[[1]]");
    cr_assert_eq(ccs_yaml_set(root, path, "--set 63", &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "--set 63:1:2: nesting deeper than 64 levels"), "%s", err.msg);
    ccs_yaml_free(root);
}

Test(parse_limits, ccsim_run_refuses_a_deeply_nested_set)
{
    const char *dir = tmp_folder();
    write_text(dir, "ci.csv", hourly_trace);
    const char *yaml = write_text(dir, "s.yaml",
                                  "start: \"2023-01-01T00:00:00Z\"\nduration: 3h\n"
                                  "regions:\n  - name: de\n    carbon: ci.csv\n");
    char *set = nested("[", "", 60000, "x=");
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", "--set", set, NULL});
    free(set);
    cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "--set 'x=[[[[") && strstr(r.err, "nesting deeper than 64 levels"), "%s", r.err);
}

/* ---- many keys ---- */

/* "k0: 0\nk1: 1\n..." for n keys, then `extra`. */
static char *many_keys(size_t n, const char *extra)
{
    size_t cap = n * 24 + strlen(extra) + 64, len = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    for (size_t i = 0; i < n; i++) len += (size_t)snprintf(s + len, cap - len, "k%zu: %zu\n", i, i);
    snprintf(s + len, cap - len, "%s", extra);
    return s;
}

/* Every one of 100,000 keys is found again with its value, and a repeat of the first key at
 * the end is caught with both places: line 100,001 column 1, first at line 1 column 1. */
Test(parse_limits, map_of_100000_keys_loads_and_finds_every_key)
{
    char *text = many_keys(100000, "");
    ccs_ynode *root = NULL;
    ccs_err err = {0};
    cr_assert_eq(ccs_yaml_parse(text, strlen(text), "wide.yaml", &root, &err), 0, "%s", err.msg);
    cr_assert_eq(root->n, 100000);
    char key[32], want[32];
    for (size_t i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        snprintf(want, sizeof want, "%zu", i);
        const ccs_ynode *v = ccs_yaml_get(root, key);
        cr_assert(v && strcmp(v->scalar, want) == 0, "%s", key);
    }
    cr_assert_null(ccs_yaml_get(root, "k100000"));
    /* a --set on the wide map, then a removal: lookups still right */
    cr_assert_eq(ccs_yaml_set(root, "k99999=changed", "--set k99999", &err), 0, "%s", err.msg);
    cr_assert_str_eq(ccs_yaml_get(root, "k99999")->scalar, "changed");
    ccs_yaml_remove(root, "k0");
    cr_assert_null(ccs_yaml_get(root, "k0"));
    cr_assert_str_eq(ccs_yaml_get(root, "k50000")->scalar, "50000");
    cr_assert_eq(root->n, 99999);
    ccs_yaml_free(root);
    free(text);

    text = many_keys(100000, "k0: again\n");
    cr_assert_eq(ccs_yaml_parse(text, strlen(text), "wide.yaml", &root, &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "wide.yaml:100001:1: duplicate key 'k0' (first at line 1, column 1)"), "%s", err.msg);
    free(text);
}

/* Both places of a duplicate key, the first with its column too. */
Test(parse_limits, duplicate_key_names_both_places)
{
    const char *text = "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n";
    ccs_ynode *root = NULL;
    ccs_err err = {0};
    cr_assert_eq(ccs_yaml_parse(text, strlen(text), "d.yaml", &root, &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "d.yaml:5:3: duplicate key 'c' (first at line 3, column 3)"), "%s", err.msg);
}

/* Runs ccsim with one resource limit set (and SIGXFSZ ignored, so that a write past
 * RLIMIT_FSIZE fails with EFBIG rather than killing the process). The hard limit is 5 above
 * the soft one, so that RLIMIT_CPU ends a process with SIGXCPU before SIGKILL. */
static void run_limited(cmd_result *r, const char *const *args, int resource, rlim_t limit)
{
    const char *bin = getenv("CCSIM_BIN");
    cr_assert_not_null(bin);
    char err_path[] = "/tmp/ccsim-limits-XXXXXX";
    int fe = mkstemp(err_path);
    cr_assert(fe >= 0);
    const char *argv[16] = {bin};
    size_t n = 1;
    for (size_t i = 0; args[i] && n < 15; i++) argv[n++] = args[i];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit lim = {limit, limit + 5};
        dup2(fe, 2);
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(resource, &lim);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    lseek(fe, 0, SEEK_SET);
    ssize_t got = read(fe, r->err, sizeof r->err - 1);
    r->err[got > 0 ? got : 0] = '\0';
    r->out[0] = '\0';
    close(fe);
    unlink(err_path);
}

/* The case end to end: a scenario with 200,000 top-level keys is refused at its first
 * unknown key. Not a timing test: the guard is a CPU-time limit of 20 s, which today's
 * quadratic duplicate scan (about 70 s of CPU for 200,000 keys, 18 s for 100,000) exceeds and
 * a linear parser (well under 1 s) does not approach. */
Test(parse_limits, ccsim_run_refuses_200000_keys_at_the_first_unknown_key)
{
    const char *dir = tmp_folder();
    char *text = many_keys(200000, "");
    const char *yaml = write_text(dir, "wide.yaml", text);
    free(text);
    cmd_result r;
    run_limited(&r, (const char *[]){"run", yaml, "--no-plot", NULL}, RLIMIT_CPU, 20);
    cr_assert_eq(r.status, 2, "exit %d (%d is SIGXCPU: over 20 s of CPU): %s", r.status, 128 + SIGXCPU, r.err);
    cr_assert(strstr(r.err, "wide.yaml:1:1: k0: unknown key 'k0' in scenario"), "%s", r.err);
}

/* A sweep list of 200,000 values whose last repeats the first: refused at the repeat, after a
 * sort rather than a comparison of every pair (40 billion of them: minutes of CPU before). */
Test(parse_limits, a_long_sweep_list_is_checked_for_repeats_quickly)
{
    const char *dir = tmp_folder();
    size_t cap = 200000 * 12 + 4096, used = 0;
    char *text = malloc(cap);
    used += (size_t)snprintf(text + used, cap - used,
                             "name: s\nduration: 1h\nservices: [{name: a, arrivals: {process: poisson, rate: 1}, "
                             "stages: [{name: b, service_ms: 1}]}]\nsweep:\n  seeds: 1\n  services.a.replicas: [");
    for (int i = 1; i <= 200000; i++) used += (size_t)snprintf(text + used, cap - used, "%d, ", i);
    snprintf(text + used, cap - used, "1]\n");
    const char *yaml = write_text(dir, "long.yaml", text);
    free(text);
    cmd_result r;
    run_limited(&r, (const char *[]){"sweep", yaml, "--quiet", NULL}, RLIMIT_CPU, 20);
    cr_assert_eq(r.status, 2, "exit %d (%d is SIGXCPU: over 20 s of CPU): %s", r.status, 128 + SIGXCPU, r.err);
    cr_assert(strstr(r.err, "long.yaml:6:") && strstr(r.err, "sweep.services.a.replicas[200000]: '1' is listed twice"),
              "%s", r.err);
}

/* ---- HDF5 traces ---- */

/* A small HDF5 trace written by `ccsim import` itself: 6 hourly rows. */
static const char *import_h5(const char *dir, const char *name)
{
    static char h5[8][700];
    static int k;
    char *out = h5[k++ % 8];
    const char *csv = write_text(dir, "ci.csv", hourly_trace);
    snprintf(out, 700, "%s/%s", dir, name);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"import", csv, "-o", out, NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    return out;
}

static void write_bytes(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(p, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

/* Offsets of the data layout messages in an HDF5 file as `ccsim import` writes it (version-1
 * object headers): the message header is type 0x0008, size 0x0018, flags 0, 3 reserved bytes;
 * the body starts with version 3, class 2 (chunked), then dimensionality. Returns how many. */
static size_t layout_messages(const unsigned char *f, size_t len, size_t *at, size_t max)
{
    static const unsigned char head[] = {0x08, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x02};
    size_t n = 0;
    for (size_t i = 0; i + sizeof head <= len && n < max; i++)
        if (memcmp(f + i, head, sizeof head) == 0) at[n++] = i + 8; /* the body */
    return n;
}

/* The file: 8 zero bytes in the layout message of /timestamp_us, from its
 * dimensionality on (dimensionality 0 and most of the chunk index address). libhdf5 1.10.8
 * divides by the dimensionality in H5Dopen2: SIGFPE. */
static const char *damaged_h5(const char *dir)
{
    const char *good = import_h5(dir, "good.h5");
    size_t len;
    unsigned char *f = (unsigned char *)read_all(good, &len);
    cr_assert_not_null(f);
    size_t at[4];
    cr_assert_eq(layout_messages(f, len, at, 4), 2, "the two datasets' layout messages");
    memset(f + at[0] + 2, 0, 8);
    static char bad[700];
    snprintf(bad, sizeof bad, "%s/damaged.h5", dir);
    write_bytes(bad, f, len);
    free(f);
    return bad;
}

Test(parse_limits, damaged_layout_message_is_an_error_not_sigfpe_in_process)
{
    const char *bad = damaged_h5(tmp_folder());
    ccs_trace *t = (ccs_trace *)1;
    ccs_err err = {0};
    int rc = ccs_trace_load(bad, NULL, &t, &err);
    cr_assert_eq(rc, CCS_EINPUT, "%s", err.msg);
    cr_assert_null(t);
    char want[800];
    snprintf(want, sizeof want, "%s: damaged HDF5 file (the HDF5 library crashed reading it: SIGFPE)", bad);
    cr_assert(strstr(err.msg, want), "%s", err.msg);
}

Test(parse_limits, damaged_layout_message_fails_import_and_run_cleanly)
{
    const char *dir = tmp_folder();
    const char *bad = damaged_h5(dir);
    char out[800];
    snprintf(out, sizeof out, "%s/out.h5", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"import", bad, "-o", out, NULL});
    cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "damaged.h5: damaged HDF5 file (the HDF5 library crashed reading it: SIGFPE)"), "%s",
              r.err);
    cr_assert_neq(access(out, F_OK), 0, "no output after a failed import");

    const char *yaml = write_text(dir, "s.yaml",
                                  "start: \"2023-01-01T00:00:00Z\"\nduration: 3h\n"
                                  "regions:\n  - name: de\n    carbon: damaged.h5\n"
                                  "services:\n  - name: s\n    arrivals: {rate_per_s: 1}\n"
                                  "    service_time: {mean_ms: 1}\n");
    char outdir[800];
    snprintf(outdir, sizeof outdir, "%s/run", dir);
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", "--out", outdir, NULL});
    cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "damaged.h5: damaged HDF5 file (the HDF5 library crashed reading it: SIGFPE)"), "%s",
              r.err);
}

/* A loaded trace must be what the file held or an error naming the file: never a signal. */
static void check_outcome(const char *path, int rc, const ccs_trace *t, const ccs_err *err, const char *what)
{
    if (rc == 0) {
        cr_assert_not_null(t, "%s", what);
        cr_assert_geq(ccs_trace_len(t), 2, "%s", what);
        return;
    }
    cr_assert(rc == CCS_EINPUT || rc == CCS_EIO, "%s: rc %d: %s", what, rc, err->msg);
    cr_assert_null(t, "%s", what);
    cr_assert(strncmp(err->msg, path, strlen(path)) == 0 && err->msg[strlen(path)] == ':',
              "%s: message does not start with the file: %s", what, err->msg);
}

/* 200 offsets, one byte flipped (xor 0xff) and 8 bytes zeroed at each: every byte of the two
 * layout messages (where the known crash lives) and the rest spread evenly over the file past
 * the signature. In process, so that a crash or a sanitizer report of our code fails here; a
 * twentieth of them through `ccsim import` too, for its exit code (0, 2 or 3, never a signal). */
Test(parse_limits, two_hundred_damaged_copies_never_crash)
{
    const char *dir = tmp_folder();
    const char *good = import_h5(dir, "good.h5");
    size_t len;
    unsigned char *orig = (unsigned char *)read_all(good, &len);
    cr_assert_not_null(orig);
    size_t at[4], off[200], n = 0;
    cr_assert_eq(layout_messages(orig, len, at, 4), 2);
    for (size_t m = 0; m < 2; m++)
        for (size_t i = 0; i < 24; i++) off[n++] = at[m] - 8 + i; /* header and body: 32 bytes, 24 here */
    size_t spread = 200 - n;
    for (size_t i = 0; i < spread; i++) off[n++] = 8 + i * (len - 16) / spread;
    char bad[800], out[800], what[900];
    snprintf(bad, sizeof bad, "%s/bad.h5", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    unsigned char *f = malloc(len);
    int loaded = 0, failed = 0;
    for (size_t k = 0; k < 200; k++) {
        for (int kind = 0; kind < 2; kind++) {
            memcpy(f, orig, len);
            if (kind == 0)
                f[off[k]] ^= 0xff;
            else
                memset(f + off[k], 0, off[k] + 8 <= len ? 8 : len - off[k]);
            write_bytes(bad, f, len);
            snprintf(what, sizeof what, "%s at offset %zu", kind ? "8 zero bytes" : "flipped byte", off[k]);
            ccs_trace *t = (ccs_trace *)1;
            ccs_err err = {0};
            int rc = ccs_trace_load(bad, NULL, &t, &err);
            check_outcome(bad, rc, rc ? NULL : t, &err, what);
            if (rc)
                failed++;
            else
                loaded++;
            if (!rc) ccs_trace_destroy(t);
            if (k % 20 != 0) continue;
            cmd_result r;
            unlink(out);
            run_ccsim(&r, (const char *[]){"import", bad, "-o", out, NULL});
            cr_assert(r.status == 0 || r.status == 2 || r.status == 3, "%s: exit %d: %s", what, r.status, r.err);
            cr_assert(r.status == 0 || strstr(r.err, "bad.h5: "), "%s: %s", what, r.err);
            cr_assert_eq(r.status == 0, access(out, F_OK) == 0, "%s: output iff success", what);
        }
    }
    /* both outcomes happen: damage to the data chunks can leave a loadable file */
    cr_assert_gt(failed, 0);
    cr_assert_eq(loaded + failed, 400);
    free(f);
    free(orig);
}

/* A units attribute that is 100 strings, not one: today's reader sizes its buffer for one and
 * lets HDF5 write 100 into it. Now an error naming the attribute. */
static void write_trace_with_units(const char *path, int variable_length, hsize_t nunits)
{
    int64_t t[3] = {0, 3600000000LL, 7200000000LL};
    double v[3] = {1, 2, 3};
    hsize_t dims[1] = {3};
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t d = H5Dcreate2(f, "timestamp_us", H5T_NATIVE_INT64, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) >= 0);
    H5Dclose(d);
    d = H5Dcreate2(f, "value", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, variable_length ? H5T_VARIABLE : 10);
    hid_t asp = nunits == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &nunits, NULL);
    hid_t a = H5Acreate2(d, "units", st, asp, H5P_DEFAULT, H5P_DEFAULT);
    if (variable_length) {
        const char *units = "gCO2e/kWh";
        cr_assert(H5Awrite(a, st, &units) >= 0);
    } else {
        char *many = calloc(nunits, 10);
        for (hsize_t i = 0; i < nunits; i++) memcpy(many + i * 10, "gCO2e/kWh", 9);
        cr_assert(H5Awrite(a, st, many) >= 0);
        free(many);
    }
    H5Aclose(a);
    H5Sclose(asp);
    H5Tclose(st);
    H5Dclose(d);
    H5Sclose(sp);
    cr_assert(H5Fclose(f) >= 0);
}

Test(parse_limits, units_attribute_of_many_strings_is_an_error)
{
    char path[700];
    snprintf(path, sizeof path, "%s/many-units.h5", tmp_folder());
    write_trace_with_units(path, 0, 100);
    ccs_trace *t = (ccs_trace *)1;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(path, NULL, &t, &err), CCS_EINPUT, "loaded: %s", err.msg);
    cr_assert(strstr(err.msg, "many-units.h5: not a readable HDF5 trace: "
                              "attribute 'units' of '/value' is not one text"),
              "%s", err.msg);
}

/* h5py and others write variable-length strings: read, not silently taken as "". */
Test(parse_limits, variable_length_units_are_read)
{
    char path[700];
    snprintf(path, sizeof path, "%s/vlen-units.h5", tmp_folder());
    write_trace_with_units(path, 1, 1);
    ccs_trace *t = NULL;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(path, NULL, &t, &err), 0, "%s", err.msg);
    cr_assert_str_eq(ccs_trace_units(t), "gCO2e/kWh");
    ccs_trace_destroy(t);
}

/* Raw int64 stamps can be anything: 2^62 us is about 146,000 years from 1970, past the
 * four-digit years (and differences of such stamps overflow int64). Row 1 is the first bad. */
Test(parse_limits, hdf5_timestamps_outside_years_0000_to_9999_are_an_error)
{
    char path[700];
    snprintf(path, sizeof path, "%s/far.h5", tmp_folder());
    int64_t t[3] = {-(INT64_C(1) << 62), 0, INT64_C(1) << 62};
    double v[3] = {1, 2, 3};
    hsize_t dims[1] = {3};
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t d = H5Dcreate2(f, "timestamp_us", H5T_NATIVE_INT64, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) >= 0);
    H5Dclose(d);
    d = H5Dcreate2(f, "value", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(d);
    H5Sclose(sp);
    cr_assert(H5Fclose(f) >= 0);
    ccs_trace *tr = (ccs_trace *)1;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(path, NULL, &tr, &err), CCS_EINPUT, "loaded: %s", err.msg);
    cr_assert(strstr(err.msg, "far.h5: row 1: timestamp -4611686018427387904 is outside the years 0000 to 9999"), "%s",
              err.msg);
}

/* Two rows 300 years apart filled at a one-second step would be 9.5e9 rows (75 GB): refused,
 * naming the file, instead of an allocation that fails (or a sanitizer's abort). */
Test(parse_limits, gap_fill_is_bounded)
{
    const char *dir = tmp_folder();
    const char *csv = write_text(dir, "gap.csv",
                                 "timestamp,value\n2000-01-01T00:00:00Z,1\n2000-01-01T00:00:01Z,2\n"
                                 "2000-01-01T00:00:02Z,3\n2300-01-01T00:00:00Z,4\n");
    const ccs_trace_opts opts = {.fill = CCS_FILL_PREVIOUS};
    ccs_trace *t = (ccs_trace *)1;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(csv, &opts, &t, &err), CCS_EINPUT, "%s", err.msg);
    cr_assert(strstr(err.msg, "gap.csv: filling the gaps at the nominal step of 1 s "
                              "would add 9467107197 rows to 4 read"),
              "%s", err.msg);
}

/* Three rows around a 300-year gap at a 301 s step: (109,573 days x 86,400 s - 301 s - 1 s) / 301 s
 * = 31,452,182 filled rows, under the total bound but
 * far beyond the rows read (found by the trace fuzzer: 10 s and 1 GB under ASan per load). One
 * hourly year with a week missing still fills. */
Test(parse_limits, gap_fill_is_bounded_by_the_rows_read)
{
    const char *dir = tmp_folder();
    const char *csv = write_text(dir, "gap5.csv",
                                 "timestamp,value\n2000-01-01T00:00:00Z,1\n2000-01-01T00:05:01Z,2\n"
                                 "2300-01-01T00:00:00Z,3\n");
    const ccs_trace_opts opts = {.fill = CCS_FILL_LINEAR};
    ccs_trace *t = NULL;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(csv, &opts, &t, &err), CCS_EINPUT, "%s", err.msg);
    cr_assert(strstr(err.msg, "gap5.csv: filling the gaps at the nominal step of 301 s would add "
                              "31452182 rows to 3 read"),
              "%s", err.msg);
    /* 8760 hours, the 168 of one week left out: filled */
    FILE *f = fopen(write_text(dir, "week.csv", "timestamp,value\n"), "a");
    cr_assert_not_null(f);
    for (long h = 0; h < 8760; h++) {
        if (h >= 1000 && h < 1168) continue;
        char stamp[32];
        ccs_time_format((int64_t)(946684800 + h * 3600) * 1000000, stamp, sizeof stamp);
        fprintf(f, "%s,%ld\n", stamp, h);
    }
    fclose(f);
    char path[4200];
    snprintf(path, sizeof path, "%s/week.csv", dir);
    cr_assert_eq(ccs_trace_load(path, &opts, &t, &err), 0, "%s", err.msg);
    ccs_trace_destroy(t);
}

/* ---- import never replaces its input ---- */

Test(parse_limits, import_refuses_to_write_over_its_input_by_any_name)
{
    const char *dir = tmp_folder();
    const char *csv = write_text(dir, "ci.csv", hourly_trace);
    char dot[800], sym[800], hard[800];
    snprintf(dot, sizeof dot, "%s/./ci.csv", dir);
    snprintf(sym, sizeof sym, "%s/link.csv", dir);
    snprintf(hard, sizeof hard, "%s/hard.csv", dir);
    cr_assert_eq(symlink("ci.csv", sym), 0);
    cr_assert_eq(link(csv, hard), 0);
    const char *outs[] = {csv, dot, sym, hard};
    for (size_t i = 0; i < 4; i++) {
        cmd_result r;
        run_ccsim(&r, (const char *[]){"import", csv, "-o", outs[i], NULL});
        cr_assert_eq(r.status, 2, "-o %s: exit %d: %s", outs[i], r.status, r.err);
        cr_assert(strstr(r.err, "is the input file"), "%s", r.err);
        char *now = read_all(csv, NULL);
        cr_assert_str_eq(now, hourly_trace, "-o %s changed the input", outs[i]);
        free(now);
        struct stat st;
        cr_assert_eq(lstat(sym, &st), 0);
        cr_assert(S_ISLNK(st.st_mode), "the link is still a link");
    }
}

/* A write that fails (here: past a 2,000-byte file size limit, EFBIG) says why, leaves no
 * temporary file and leaves an older output as it was. Today: no reason, and libhdf5 crashes
 * at exit after the failed close (SIGSEGV). */
Test(parse_limits, failed_import_write_says_why_and_keeps_the_old_output)
{
    const char *dir = tmp_folder();
    const char *csv = write_text(dir, "ci.csv", hourly_trace);
    const char *out = write_text(dir, "out.h5", "an older output\n");
    cmd_result r;
    run_limited(&r, (const char *[]){"import", csv, "-o", out, NULL}, RLIMIT_FSIZE, 2000);
    cr_assert_eq(r.status, 3, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "out.h5: cannot write HDF5 file") && strstr(r.err, "File too large"), "%s", r.err);
    char *now = read_all(out, NULL);
    cr_assert_str_eq(now, "an older output\n");
    free(now);
    char tmp[800];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    cr_assert_neq(access(tmp, F_OK), 0, "temporary file left behind");
}

/* The same CSV gives byte-identical HDF5 (no modification times), and the import loads back. */
Test(parse_limits, import_is_byte_identical_and_loads_back)
{
    const char *dir = tmp_folder();
    const char *a = import_h5(dir, "a.h5");
    sleep(1); /* a modification time, if written, would differ */
    const char *b = import_h5(dir, "b.h5");
    size_t la, lb;
    char *x = read_all(a, &la), *y = read_all(b, &lb);
    cr_assert(la == lb && memcmp(x, y, la) == 0, "two imports differ");
    free(x);
    free(y);
    ccs_trace *t = NULL;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(a, NULL, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_len(t), 6);
    cr_assert_eq(ccs_trace_values(t)[5], 600.0);
    cr_assert_eq(ccs_trace_step_us(t), 3600000000LL);
    ccs_trace_destroy(t);
}
