/* See progress.h. */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ccs_progress {
    FILE *f;
    char what[32];
    long total, before, done, failed;
    int tty, quiet;
    double t0, last, period_s;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

ccs_progress *ccs_progress_create(FILE *f, const char *what, long total, long before, int quiet, double period_s)
{
    ccs_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->f = f;
    snprintf(p->what, sizeof p->what, "%s", what);
    p->total = total;
    p->before = before;
    p->done = before;
    p->quiet = quiet;
    p->tty = isatty(fileno(f));
    p->t0 = p->last = now_s();
    p->period_s = period_s;
    return p;
}

static void eta_text(char *buf, size_t size, double s)
{
    if (!(s >= 0) || s > 1e7) {
        snprintf(buf, size, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

void ccs_progress_format(char *buf, size_t size, const char *what, long done, long total, long failed, double rate,
                         int bar_width)
{
    char eta[32], bar[128] = "", fail[48] = "";
    eta_text(eta, sizeof eta, rate > 0 ? (double)(total - done) / rate : -1);
    if (bar_width > 0) {
        if (bar_width > 100) bar_width = 100;
        int full = total > 0 ? (int)((double)bar_width * (double)done / (double)total) : bar_width;
        bar[0] = '[';
        for (int i = 0; i < bar_width; i++) bar[1 + i] = i < full ? '#' : '.';
        bar[1 + bar_width] = ']';
        bar[2 + bar_width] = ' ';
        bar[3 + bar_width] = '\0';
    }
    if (failed) snprintf(fail, sizeof fail, ", %ld failed", failed);
    snprintf(buf, size, "%s%ld/%ld %s%s, %.1f %s/s, ETA %s", bar, done, total, what, fail, rate, what, eta);
}

void ccs_cli_progress_line(char *buf, size_t size, double done_days, double total_days, double days_per_s,
                           int bar_width)
{
    char eta[32], bar[128] = "";
    eta_text(eta, sizeof eta, days_per_s > 0 ? (total_days - done_days) / days_per_s : -1);
    if (bar_width > 100) bar_width = 100;
    if (bar_width > 0) {
        int full = total_days > 0 ? (int)((double)bar_width * done_days / total_days) : bar_width;
        bar[0] = '[';
        for (int i = 0; i < bar_width; i++) bar[1 + i] = i < full ? '#' : '.';
        bar[1 + bar_width] = ']';
        bar[2 + bar_width] = ' ';
        bar[3 + bar_width] = '\0';
    }
    snprintf(buf, size, "%s%.1f/%.1f days simulated, %.2f days/s, ETA %s", bar, done_days, total_days, days_per_s, eta);
}

static void draw(ccs_progress *p, int final)
{
    double t = now_s();
    double rate = t > p->t0 ? (double)(p->done - p->before) / (t - p->t0) : 0;
    char line[512];
    ccs_progress_format(line, sizeof line, p->what, p->done, p->total, p->failed, rate, p->tty ? 30 : 0);
    if (p->tty)
        fprintf(p->f, "\r%s\033[K%s", line, final ? "\n" : "");
    else
        fprintf(p->f, "progress: %s\n", line);
    fflush(p->f);
    p->last = t;
}

void ccs_progress_step(ccs_progress *p, long done_now, long failed)
{
    if (!p) return;
    p->done = p->before + done_now;
    p->failed = failed;
    if (p->quiet) return;
    double t = now_s();
    /* a terminal at most 10 times a second; a log every period */
    if (t - p->last >= (p->tty ? 0.1 : p->period_s)) draw(p, 0);
}

void ccs_progress_finish(ccs_progress *p)
{
    if (p && !p->quiet) draw(p, 1);
}

void ccs_progress_destroy(ccs_progress *p) { free(p); }
