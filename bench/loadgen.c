/*
 * loadgen: the load generator and samplers of bench/run.sh (C, pthreads, blocking sockets,
 * HTTP/1.1 keep-alive). One thread per connection; requests are taken from a shared counter, so
 * exactly -n requests are sent in total and every request's latency (write of the request until
 * the last byte of the response body) is recorded. Bodies are generated before the clock starts.
 *
 *   loadgen [-H host] [-p port] [-c conns] [-n requests] [-w warmup] MODE ARGS...
 *
 *   logbatch RUNS_FILE KEYS STEPS_PER_REQ TS_BASE
 *       request i -> runs/log-batch for run RUNS[i % R], steps [b*S, b*S+S) with b = i / R, KEYS
 *       keys m0..m{K-1}; value = step*0.001 + k; timestamp = TS_BASE + step. No point repeats.
 *   logmetric RUN_ID KEY TS_BASE
 *       request i -> runs/log-metric {key, step i, value i*0.5, timestamp TS_BASE+i}
 *   get PATH_AND_QUERY [follow]
 *       GET, repeated; with "follow" one sample is the whole chain of pages: next_page_token is
 *       appended as &page_token=... until the response carries none (what MlflowClient does).
 *   post PATH BODY_FILE
 *       POST the same JSON body, repeated.
 *   wait PATH TIMEOUT_MS SINCE_REALTIME_NS [PID]
 *       poll GET PATH every 2 ms until 200; prints the ms elapsed since SINCE (a `date +%s%N`).
 *       Gives up early when PID (the server) has exited.
 *   cpu PID...
 *       prints {"PID": cpu_seconds} per PID: user+system time of its whole process tree,
 *       including reaped children (differences between two calls give a phase's CPU).
 *   rss INTERVAL_MS OUT_CSV PID...
 *       every INTERVAL_MS append "t_ms,pid,tree_rss_kb,root_rss_kb" per PID (tree = the PID and
 *       all its descendants, summed VmRSS) until SIGTERM/SIGINT.
 *
 * With LOADGEN_LATENCIES=FILE every measured sample's latency (ms) is also written to FILE, one
 * per line in request order (= time order at -c 1).
 *
 * The result of a load mode is one JSON object on stdout. Warm-up requests (-w) run first on
 * one connection and are not counted (for the writers they use indices after the measured ones).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

static const char *host = "127.0.0.1";
static int port = 5000;
static int conns = 1;
static long nreq = 1;
static long nwarm = 0;

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ growable buffer */
typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_reserve(buf_t *b, size_t extra) {
    if (b->len + extra + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->len + extra + 1) c *= 2;
        b->p = realloc(b->p, c);
        if (!b->p) die("out of memory");
        b->cap = c;
    }
}
static void buf_add(buf_t *b, const char *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}
static void buf_printf(buf_t *b, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) die("vsnprintf");
        if ((size_t)n < room) {
            b->len += n;
            return;
        }
        buf_reserve(b, n);
    }
}

/* ------------------------------------------------------------------ connection */
typedef struct {
    int fd;
    buf_t in;    /* unread bytes */
    buf_t body;  /* last response body */
    int status;
} conn_t;

static int conn_open(conn_t *c) {
    struct addrinfo hints = {0}, *res;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, ps, &hints, &res) != 0) die("getaddrinfo %s", host);
    int fd = socket(res->ai_family, res->ai_socktype, 0);
    if (fd < 0) die("socket: %s", strerror(errno));
    if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        int e = errno;
        close(fd);
        freeaddrinfo(res);
        errno = e;
        return -1;
    }
    freeaddrinfo(res);
    /* TCP self-connect: with nobody listening on a port inside the ephemeral range, the kernel
     * may pick that very port as our source port and "connect" to ourselves, which would keep
     * the server from binding it. Never hold such a socket. */
    struct sockaddr_in a, b;
    socklen_t la = sizeof a, lb = sizeof b;
    if (getsockname(fd, (struct sockaddr *)&a, &la) == 0 && getpeername(fd, (struct sockaddr *)&b, &lb) == 0 &&
        a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr) {
        close(fd);
        errno = ECONNREFUSED;
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd = fd;
    c->in.len = 0;
    return 0;
}

static void conn_close(conn_t *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= w;
    }
    return 0;
}

/* read more bytes into c->in; 0 on EOF, -1 on error */
static ssize_t fill(conn_t *c) {
    buf_reserve(&c->in, 65536);
    for (;;) {
        ssize_t r = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r > 0) {
            c->in.len += r;
            c->in.p[c->in.len] = 0;
        }
        return r;
    }
}

static void consume(conn_t *c, size_t n) {
    memmove(c->in.p, c->in.p + n, c->in.len - n);
    c->in.len -= n;
    c->in.p[c->in.len] = 0;
}

/* Reads one HTTP/1.1 response; body into c->body. Returns 0, or -1 on a broken connection.
 * *close_after set when the server asked to close. */
static int read_response(conn_t *c, int *close_after) {
    char *hend;
    while (!(c->in.p && (hend = strstr(c->in.p, "\r\n\r\n")))) {
        if (fill(c) <= 0) return -1;
    }
    size_t hlen = hend - c->in.p + 4;
    c->status = 0;
    sscanf(c->in.p, "HTTP/%*d.%*d %d", &c->status);
    long clen = -1;
    int chunked = 0;
    *close_after = 0;
    for (char *line = strstr(c->in.p, "\r\n") + 2; line < hend; line = strstr(line, "\r\n") + 2) {
        if (!strncasecmp(line, "content-length:", 15)) clen = strtol(line + 15, NULL, 10);
        else if (!strncasecmp(line, "transfer-encoding:", 18) && strcasestr(line, "chunked") && strcasestr(line, "chunked") < strstr(line, "\r\n"))
            chunked = 1;
        else if (!strncasecmp(line, "connection:", 11) && strcasestr(line, "close") && strcasestr(line, "close") < strstr(line, "\r\n"))
            *close_after = 1;
    }
    consume(c, hlen);
    c->body.len = 0;
    buf_reserve(&c->body, 0);
    c->body.p[0] = 0;
    if (chunked) {
        for (;;) {
            char *le;
            while (!(le = strstr(c->in.p, "\r\n")))
                if (fill(c) <= 0) return -1;
            long sz = strtol(c->in.p, NULL, 16);
            consume(c, le - c->in.p + 2);
            while (c->in.len < (size_t)sz + 2)
                if (fill(c) <= 0) return -1;
            buf_add(&c->body, c->in.p, sz);
            consume(c, sz + 2);
            if (sz == 0) {
                /* trailers (none expected) end with the CRLF consumed above */
                break;
            }
        }
    } else if (clen >= 0) {
        while (c->in.len < (size_t)clen)
            if (fill(c) <= 0) return -1;
        buf_add(&c->body, c->in.p, clen);
        consume(c, clen);
    } else {
        /* body until close */
        while (fill(c) > 0) {
        }
        buf_add(&c->body, c->in.p, c->in.len);
        c->in.len = 0;
        *close_after = 1;
    }
    return 0;
}

/* One request/response on a keep-alive connection (reconnects once if the server closed it). */
static int roundtrip(conn_t *c, const char *req, size_t reqlen) {
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && conn_open(c) != 0) return -1;
        int close_after = 0;
        if (write_all(c->fd, req, reqlen) == 0 && read_response(c, &close_after) == 0) {
            if (close_after) conn_close(c);
            return 0;
        }
        conn_close(c);
    }
    return -1;
}

static void build_request(buf_t *out, const char *method, const char *path, const char *body, size_t blen) {
    out->len = 0;
    if (body)
        buf_printf(out,
                   "%s %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: cairn-bench-loadgen\r\nAccept: */*\r\n"
                   "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                   method, path, host, port, blen);
    else
        buf_printf(out, "%s %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: cairn-bench-loadgen\r\nAccept: */*\r\n\r\n",
                   method, path, host, port);
    if (body) buf_add(out, body, blen);
}

/* ------------------------------------------------------------------ workloads */
enum { M_LOGBATCH, M_LOGMETRIC, M_GET, M_POST } mode;
static char **runs;
static int nruns;
static int keys, steps_per_req;
static long long ts_base;
static const char *run_id, *metric_key, *path, *post_body;
static size_t post_len;
static int follow;

static buf_t *reqs;  /* pre-built requests (logbatch, logmetric), index = request number */

static void build_writer_request(long i, buf_t *out) {
    buf_t body = {0};
    if (mode == M_LOGBATCH) {
        const char *rid = runs[i % nruns];
        long block = i / nruns;
        buf_printf(&body, "{\"run_id\":\"%s\",\"metrics\":[", rid);
        int first = 1;
        for (long s = block * steps_per_req; s < (block + 1) * steps_per_req; s++)
            for (int k = 0; k < keys; k++) {
                buf_printf(&body, "%s{\"key\":\"m%d\",\"value\":%.17g,\"timestamp\":%lld,\"step\":%ld}", first ? "" : ",",
                           k, s * 0.001 + k, ts_base + s, s);
                first = 0;
            }
        buf_add(&body, "]}", 2);
        build_request(out, "POST", "/api/2.0/mlflow/runs/log-batch", body.p, body.len);
    } else {
        buf_printf(&body, "{\"run_id\":\"%s\",\"key\":\"%s\",\"value\":%.17g,\"timestamp\":%lld,\"step\":%ld}", run_id,
                   metric_key, i * 0.5, ts_base + i, i);
        build_request(out, "POST", "/api/2.0/mlflow/runs/log-metric", body.p, body.len);
    }
    free(body.p);
}

static atomic_long next_index;
static double *lat;       /* per measured request (or per chain with follow) */
static long *pages_of;    /* pages per sample (follow) */
static long *points_of;   /* "timestamp" occurrences (points) in the sample's bodies */
static atomic_long n_ok, n_err, bytes_in;
static char first_error[512];
static pthread_mutex_t err_lock = PTHREAD_MUTEX_INITIALIZER;

static long count_occurrences(const char *hay, size_t len, const char *needle) {
    long n = 0;
    size_t nl = strlen(needle);
    const char *p = hay, *end = hay + len;
    while ((p = memmem(p, end - p, needle, nl))) {
        n++;
        p += nl;
    }
    return n;
}

/* Finds "next_page_token": "..." in a JSON body; returns malloc'd token or NULL. */
static char *find_token(const char *body) {
    const char *p = strstr(body, "\"next_page_token\"");
    if (!p) return NULL;
    p += strlen("\"next_page_token\"");
    while (*p == ' ' || *p == ':') p++;
    if (*p != '"') return NULL;
    p++;
    const char *e = strchr(p, '"');
    if (!e || e == p) return NULL;
    char *t = strndup(p, e - p);
    return t;
}

static void url_escape(buf_t *out, const char *s) {
    for (; *s; s++) {
        unsigned char ch = *s;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~')
            buf_add(out, (const char *)&ch, 1);
        else
            buf_printf(out, "%%%02X", ch);
    }
}

static void record_error(conn_t *c, const char *what) {
    atomic_fetch_add(&n_err, 1);
    pthread_mutex_lock(&err_lock);
    if (!first_error[0]) {
        if (c && c->body.p)
            snprintf(first_error, sizeof first_error, "%s: HTTP %d %.300s", what, c->status, c->body.p);
        else
            snprintf(first_error, sizeof first_error, "%s: %s", what, strerror(errno));
    }
    pthread_mutex_unlock(&err_lock);
}

/* Does one sample (request, or chain of pages). Returns latency in s, or -1 on error. */
static double do_sample(conn_t *c, long i, buf_t *scratch, long *pages, long *points) {
    *pages = 0;
    *points = 0;
    double t0, t1;
    if (mode == M_LOGBATCH || mode == M_LOGMETRIC) {
        buf_t *r = &reqs[i];
        t0 = now_s();
        if (roundtrip(c, r->p, r->len) != 0) { record_error(NULL, "connection"); return -1; }
        t1 = now_s();
    } else if (mode == M_POST) {
        t0 = now_s();
        if (roundtrip(c, scratch->p, scratch->len) != 0) { record_error(NULL, "connection"); return -1; }
        t1 = now_s();
    } else {
        buf_t req = {0}, url = {0};
        char *token = NULL;
        t0 = now_s();
        for (;;) {
            url.len = 0;
            buf_add(&url, path, strlen(path));
            if (token) {
                buf_add(&url, "&page_token=", 12);
                url_escape(&url, token);
                free(token);
                token = NULL;
            }
            build_request(&req, "GET", url.p, NULL, 0);
            if (roundtrip(c, req.p, req.len) != 0) { record_error(NULL, "connection"); free(req.p); free(url.p); return -1; }
            (*pages)++;
            atomic_fetch_add(&bytes_in, c->body.len);
            if (c->status != 200) break;
            *points += count_occurrences(c->body.p, c->body.len, "\"timestamp\"");
            if (!follow) break;
            token = find_token(c->body.p);
            if (!token) break;
        }
        t1 = now_s();
        free(req.p);
        free(url.p);
        if (c->status != 200) { record_error(c, "status"); return -1; }
        return t1 - t0;
    }
    atomic_fetch_add(&bytes_in, c->body.len);
    if (c->status != 200) { record_error(c, "status"); return -1; }
    return t1 - t0;
}

static void *worker(void *arg) {
    (void)arg;
    conn_t c = {.fd = -1};
    buf_t scratch = {0};
    if (mode == M_POST) build_request(&scratch, "POST", path, post_body, post_len);
    for (;;) {
        long i = atomic_fetch_add(&next_index, 1);
        if (i >= nreq) break;
        long pages, points;
        double l = do_sample(&c, i, &scratch, &pages, &points);
        lat[i] = l;
        pages_of[i] = pages;
        points_of[i] = points;
        if (l >= 0) atomic_fetch_add(&n_ok, 1);
    }
    conn_close(&c);
    free(c.in.p);
    free(c.body.p);
    free(scratch.p);
    return NULL;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* linear interpolation between closest ranks, like the shared Python benchmark's pct() */
static double pct(const double *v, long n, double p) {
    if (n == 0) return -1;
    double k = (n - 1) * p / 100.0;
    long lo = (long)k, hi = lo + 1 < n ? lo + 1 : n - 1;
    return v[lo] + (v[hi] - v[lo]) * (k - lo);
}

static char **read_lines(const char *file, int *n) {
    FILE *f = fopen(file, "r");
    if (!f) die("open %s: %s", file, strerror(errno));
    char **out = NULL;
    int cnt = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        out = realloc(out, (cnt + 1) * sizeof *out);
        out[cnt++] = strdup(line);
    }
    fclose(f);
    *n = cnt;
    return out;
}

static char *read_file(const char *file, size_t *len) {
    FILE *f = fopen(file, "rb");
    if (!f) die("open %s: %s", file, strerror(errno));
    buf_t b = {0};
    char tmp[65536];
    size_t r;
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0) buf_add(&b, tmp, r);
    fclose(f);
    if (!b.p) buf_add(&b, "", 0);
    *len = b.len;
    return b.p;
}

/* ------------------------------------------------------------------ wait + rss modes */
/* true when PID no longer runs (gone, or a zombie nobody has reaped yet) */
static int exited(int pid) {
    char fn[64], line[512];
    snprintf(fn, sizeof fn, "/proc/%d/stat", pid);
    FILE *f = fopen(fn, "r");
    if (!f) return 1;
    int z = 0;
    if (fgets(line, sizeof line, f)) {
        char *p = strrchr(line, ')');
        z = p && (p[2] == 'Z' || p[2] == 'X');
    }
    fclose(f);
    return z;
}

static int mode_wait(int argc, char **argv) {
    if (argc < 3) die("wait PATH TIMEOUT_MS SINCE_NS [PID]");
    const char *p = argv[0];
    int pid = argc > 3 ? atoi(argv[3]) : 0;
    long timeout_ms = atol(argv[1]);
    long long since = atoll(argv[2]);
    buf_t req = {0};
    build_request(&req, "GET", p, NULL, 0);
    conn_t c = {.fd = -1};
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long nowns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        double elapsed_ms = (nowns - since) / 1e6;
        if (elapsed_ms > timeout_ms || (pid > 0 && exited(pid))) {
            printf("{\"ok\":false,\"elapsed_ms\":%.1f,\"exited\":%s}\n", elapsed_ms, elapsed_ms > timeout_ms ? "false" : "true");
            return 1;
        }
        if (conn_open(&c) == 0) {
            int close_after;
            if (write_all(c.fd, req.p, req.len) == 0 && read_response(&c, &close_after) == 0 && c.status == 200) {
                clock_gettime(CLOCK_REALTIME, &ts);
                nowns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
                printf("{\"ok\":true,\"elapsed_ms\":%.1f}\n", (nowns - since) / 1e6);
                return 0;
            }
            conn_close(&c);
        }
        usleep(2000);
    }
}

static volatile sig_atomic_t stop_flag;
static void on_stop(int s) { (void)s; stop_flag = 1; }

static long vmrss_kb(int pid) {
    char fn[64], line[256];
    snprintf(fn, sizeof fn, "/proc/%d/status", pid);
    FILE *f = fopen(fn, "r");
    if (!f) return -1;
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) {
            kb = atol(line + 6);
            break;
        }
    fclose(f);
    return kb;
}

static long tree_rss_kb(int pid, int depth) {
    long total = vmrss_kb(pid);
    if (total < 0) return 0;
    if (depth > 16) return total;
    char dn[64];
    snprintf(dn, sizeof dn, "/proc/%d/task", pid);
    DIR *d = opendir(dn);
    if (!d) return total;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char fn[300];
        snprintf(fn, sizeof fn, "/proc/%d/task/%s/children", pid, e->d_name);
        FILE *f = fopen(fn, "r");
        if (!f) continue;
        int child;
        while (fscanf(f, "%d", &child) == 1) total += tree_rss_kb(child, depth + 1);
        fclose(f);
    }
    closedir(d);
    return total;
}

static int mode_rss(int argc, char **argv) {
    if (argc < 3) die("rss INTERVAL_MS OUT_CSV PID...");
    long interval = atol(argv[0]);
    FILE *out = fopen(argv[1], "w");
    if (!out) die("open %s", argv[1]);
    setvbuf(out, NULL, _IOLBF, 0);
    fprintf(out, "t_unix_ms,pid,tree_rss_kb,root_rss_kb\n");
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    while (!stop_flag) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long t = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        for (int i = 2; i < argc; i++) {
            int pid = atoi(argv[i]);
            long root = vmrss_kb(pid);
            if (root < 0) continue;
            fprintf(out, "%lld,%d,%ld,%ld\n", t, pid, tree_rss_kb(pid, 0), root);
        }
        usleep(interval * 1000);
    }
    fclose(out);
    return 0;
}

/* CPU seconds (user+system, including reaped children) of each PID's process tree. */
static double tree_cpu_ticks(int pid, int depth) {
    char fn[64], line[1024];
    snprintf(fn, sizeof fn, "/proc/%d/stat", pid);
    FILE *f = fopen(fn, "r");
    if (!f) return 0;
    if (!fgets(line, sizeof line, f)) { fclose(f); return 0; }
    fclose(f);
    char *p = strrchr(line, ')');
    if (!p) return 0;
    /* fields after ") ": 3 state ... 14 utime 15 stime 16 cutime 17 cstime */
    unsigned long long v[20] = {0};
    int field = 3;
    p += 2;
    char *save;
    for (char *tok = strtok_r(p, " ", &save); tok && field <= 17; tok = strtok_r(NULL, " ", &save), field++)
        if (field >= 14) v[field] = strtoull(tok, NULL, 10);
    double total = (double)(v[14] + v[15] + v[16] + v[17]);
    if (depth > 16) return total;
    char dn[64];
    snprintf(dn, sizeof dn, "/proc/%d/task", pid);
    DIR *d = opendir(dn);
    if (!d) return total;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char cf[300];
        snprintf(cf, sizeof cf, "/proc/%d/task/%s/children", pid, e->d_name);
        FILE *cfp = fopen(cf, "r");
        if (!cfp) continue;
        int child;
        while (fscanf(cfp, "%d", &child) == 1) total += tree_cpu_ticks(child, depth + 1);
        fclose(cfp);
    }
    closedir(d);
    return total;
}

static int mode_cpu(int argc, char **argv) {
    double hz = sysconf(_SC_CLK_TCK);
    printf("{");
    for (int i = 0; i < argc; i++) printf("%s\"%s\":%.2f", i ? "," : "", argv[i], tree_cpu_ticks(atoi(argv[i]), 0) / hz);
    printf("}\n");
    return 0;
}

/* ------------------------------------------------------------------ main */
int main(int argc, char **argv) {
    int opt;
    while ((opt = getopt(argc, argv, "+H:p:c:n:w:")) != -1) {
        switch (opt) {
        case 'H': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'c': conns = atoi(optarg); break;
        case 'n': nreq = atol(optarg); break;
        case 'w': nwarm = atol(optarg); break;
        default: die("bad option");
        }
    }
    argc -= optind;
    argv += optind;
    if (argc < 1) die("missing MODE");
    const char *m = argv[0];
    argc--;
    argv++;
    if (!strcmp(m, "wait")) return mode_wait(argc, argv);
    if (!strcmp(m, "rss")) return mode_rss(argc, argv);
    if (!strcmp(m, "cpu")) return mode_cpu(argc, argv);

    if (!strcmp(m, "logbatch")) {
        if (argc < 4) die("logbatch RUNS_FILE KEYS STEPS_PER_REQ TS_BASE");
        mode = M_LOGBATCH;
        runs = read_lines(argv[0], &nruns);
        keys = atoi(argv[1]);
        steps_per_req = atoi(argv[2]);
        ts_base = atoll(argv[3]);
        if (nruns < 1 || keys < 1 || steps_per_req < 1) die("bad logbatch arguments");
    } else if (!strcmp(m, "logmetric")) {
        if (argc < 3) die("logmetric RUN_ID KEY TS_BASE");
        mode = M_LOGMETRIC;
        run_id = argv[0];
        metric_key = argv[1];
        ts_base = atoll(argv[2]);
    } else if (!strcmp(m, "get")) {
        if (argc < 1) die("get PATH [follow]");
        mode = M_GET;
        path = argv[0];
        follow = argc > 1 && !strcmp(argv[1], "follow");
    } else if (!strcmp(m, "post")) {
        if (argc < 2) die("post PATH BODY_FILE");
        mode = M_POST;
        path = argv[0];
        post_body = read_file(argv[1], &post_len);
    } else
        die("unknown mode %s", m);

    long total = nreq + nwarm;
    if (mode == M_LOGBATCH || mode == M_LOGMETRIC) {
        /* measured requests are 0..n-1; warm-ups (log-metric only) use n..n+w-1 */
        if (mode == M_LOGBATCH && nwarm) die("logbatch takes no warm-up (every request writes data that is verified)");
        reqs = calloc(total, sizeof *reqs);
        for (long i = 0; i < total; i++) build_writer_request(i, &reqs[i]);
    }
    lat = calloc(total, sizeof *lat);
    pages_of = calloc(total, sizeof *pages_of);
    points_of = calloc(total, sizeof *points_of);

    /* warm-up on one connection, not recorded */
    if (nwarm) {
        conn_t c = {.fd = -1};
        buf_t scratch = {0};
        if (mode == M_POST) build_request(&scratch, "POST", path, post_body, post_len);
        for (long i = 0; i < nwarm; i++) {
            long pg, pt;
            if (do_sample(&c, nreq + i, &scratch, &pg, &pt) < 0) die("warm-up failed: %s", first_error);
        }
        conn_close(&c);
        free(scratch.p);
        atomic_store(&bytes_in, 0);
    }

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    pthread_t *th = calloc(conns, sizeof *th);
    double t0 = now_s();
    for (int i = 0; i < conns; i++) pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < conns; i++) pthread_join(th[i], NULL);
    double wall = now_s() - t0;
    getrusage(RUSAGE_SELF, &ru1);
    double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
                 (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;

    const char *latfile = getenv("LOADGEN_LATENCIES");
    if (latfile && *latfile) {
        FILE *lf = fopen(latfile, "w");
        if (!lf) die("open %s", latfile);
        for (long i = 0; i < nreq; i++) fprintf(lf, "%.3f\n", lat[i] * 1e3);
        fclose(lf);
    }
    double *ok = malloc(nreq * sizeof *ok);
    long nok = 0, pmin = -1, pmax = -1, ptmin = -1, ptmax = -1;
    for (long i = 0; i < nreq; i++)
        if (lat[i] >= 0) {
            ok[nok++] = lat[i];
            if (pmin < 0 || pages_of[i] < pmin) pmin = pages_of[i];
            if (pages_of[i] > pmax) pmax = pages_of[i];
            if (ptmin < 0 || points_of[i] < ptmin) ptmin = points_of[i];
            if (points_of[i] > ptmax) ptmax = points_of[i];
        }
    qsort(ok, nok, sizeof *ok, cmp_d);
    double sum = 0;
    for (long i = 0; i < nok; i++) sum += ok[i];
    printf("{\"mode\":\"%s\",\"connections\":%d,\"requests\":%ld,\"ok\":%ld,\"errors\":%ld,\"wall_s\":%.6f,"
           "\"requests_per_s\":%.3f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f,"
           "\"mean_ms\":%.3f,\"bytes_received\":%ld,\"client_cpu_s\":%.3f",
           m, conns, nreq, nok, (long)atomic_load(&n_err), wall, nok / wall, pct(ok, nok, 50) * 1e3, pct(ok, nok, 95) * 1e3,
           pct(ok, nok, 99) * 1e3, nok ? ok[0] * 1e3 : -1, nok ? ok[nok - 1] * 1e3 : -1, nok ? sum / nok * 1e3 : -1,
           (long)atomic_load(&bytes_in), cpu);
    if (mode == M_LOGBATCH)
        printf(",\"metrics_per_request\":%d,\"metrics_sent\":%ld,\"metrics_per_s\":%.1f", keys * steps_per_req,
               nok * keys * steps_per_req, nok * keys * steps_per_req / wall);
    if (mode == M_GET) printf(",\"pages_min\":%ld,\"pages_max\":%ld,\"points_min\":%ld,\"points_max\":%ld", pmin, pmax, ptmin, ptmax);
    if (first_error[0]) {
        printf(",\"first_error\":\"");
        for (char *p = first_error; *p; p++)
            if (*p == '"' || *p == '\\') printf("\\%c", *p);
            else if ((unsigned char)*p >= 0x20) putchar(*p);
        printf("\"");
    }
    printf("}\n");
    return atomic_load(&n_err) ? 1 : 0;
}
