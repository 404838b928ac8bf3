/* gnuplot driver; see out_plot.h. The template (plots/intensity-energy.gp) holds the picture;
 * this file only supplies the terminal, the output name and the data. Every text it supplies
 * goes through ccs_gp_quote. */
#include "out_plot.h"

#include "ccs_paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *find_in_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path) return NULL;
    char *copy = strdup(path), *save = NULL;
    char *hit = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && !hit; dir = strtok_r(NULL, ":", &save)) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", dir, prog);
        if (access(full, X_OK) == 0) hit = strdup(full);
    }
    free(copy);
    return hit;
}

static int gp_plain(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr(" -_.,:/()+", c) != NULL);
}

void ccs_gp_quote(FILE *f, const char *s)
{
    fputc('"', f);
    int escaped = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* gnuplot reads up to four digits after "\0" (three otherwise): an octal digit right
         * after an escape would join it, so it is escaped too */
        escaped = !gp_plain(*p) || (escaped && *p >= '0' && *p <= '7');
        if (escaped)
            fprintf(f, "\\%03o", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

void ccs_gp_set(FILE *f, const char *name, const char *value)
{
    fprintf(f, "%s = ", name);
    ccs_gp_quote(f, value);
    fputc('\n', f);
}

char *ccs_plot_template(const char *name)
{
    const char *dir = getenv("CCSIM_PLOTS_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : ccs_data_path("plots"), name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = '\0';
    fclose(f);
    return buf;
}

int ccs_gnuplot(const char *script, size_t len, ccs_err *err)
{
    static int warned;
    char *gnuplot = find_in_path("gnuplot");
    if (!gnuplot) {
        if (!warned) fprintf(stderr, "ccsim: warning: gnuplot not found on PATH; no plots written\n");
        warned = 1;
        return 1;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        free(gnuplot);
        return ccs_err_set(err, CCS_ERUN, "pipe: %s", strerror(errno));
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        execl(gnuplot, "gnuplot", (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    free(gnuplot);
    int bad = pid < 0;
    for (size_t off = 0; !bad && off < len;) {
        ssize_t k = write(fds[1], script + off, len - off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0)
            bad = 1;
        else
            off += (size_t)k;
    }
    close(fds[1]);
    int status = 0;
    if (pid > 0) waitpid(pid, &status, 0);
    if (bad || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return ccs_err_set(err, CCS_ERUN, "gnuplot failed (exit %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

int ccs_out_plot_hourly(ccs_run_result *r, const char *out_dir, ccs_err *err)
{
    char *tpl = ccs_plot_template("intensity-energy.gp");
    if (!tpl) return ccs_err_set(err, CCS_EIO, "plot template intensity-energy.gp not found (set CCSIM_PLOTS_DIR)");
    char png[4096], tmp[4200];
    snprintf(png, sizeof png, "%s/intensity-energy.png", out_dir);
    snprintf(tmp, sizeof tmp, "%s/.intensity-energy.png.tmp", out_dir);
    char *script = NULL;
    size_t len = 0;
    FILE *g = open_memstream(&script, &len);
    if (!g) {
        free(tpl);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    const ccs_scenario *s = r->scenario;
    fprintf(g, "set terminal pngcairo size 1200,%d font 'DejaVu Sans,10'\n", 300 + 260 * (int)s->nregions);
    fputs("set output ", g);
    ccs_gp_quote(g, tmp);
    fprintf(g, "\nnregions = %zu\n", s->nregions);
    size_t n = strlen(s->name) + strlen(r->policy) + 16;
    char *title = malloc(n), var[32];
    if (title) snprintf(title, n, "%s (policy %s)", s->name, r->policy);
    ccs_gp_set(g, "scenario", title ? title : s->name);
    free(title);
    for (size_t i = 0; i < s->nregions; i++) {
        snprintf(var, sizeof var, "region%zu", i + 1);
        ccs_gp_set(g, var, s->regions[i].name);
    }
    fprintf(g, "$data << EOD\n");
    for (size_t i = 0; i < s->nregions; i++) {
        ccs_hourly h;
        if (ccs_ledger_hourly(r->ledger, (int)i, &h) != 0) break;
        if (i > 0) fprintf(g, "\n\n"); /* two blank lines: the next data set (index) */
        for (size_t k = 0; k < h.n; k++)
            fprintf(g, "%lld %.6g %.6g\n", (long long)(h.hour_us[k] / 1000000), h.intensity[k], h.energy_kwh[k]);
    }
    fprintf(g, "EOD\n");
    fputs(tpl, g);
    fclose(g);
    free(tpl);
    int rc = ccs_gnuplot(script, len, err);
    free(script);
    if (rc == 0 && rename(tmp, png) != 0) rc = ccs_err_set(err, CCS_EIO, "cannot write %s: %s", png, strerror(errno));
    if (rc > 1 || rc < 0) unlink(tmp);
    if (rc > 1) ccs_err_prefix(err, "drawing %s: ", png);
    return rc;
}
