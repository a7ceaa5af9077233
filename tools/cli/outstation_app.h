/*
 * outstation_app.h - the application behind `dnp3 outstation`: builds a library
 * outstation from a profile, answers controls by moving the wired status
 * points (a trip opens the breaker: its double-bit input goes DETERMINED_OFF,
 * its "closed" input goes 0, events follow), keeps the clock the master sets,
 * and drifts measurements when simulating.
 */
#ifndef DNP3_CLI_OUTSTATION_APP_H
#define DNP3_CLI_OUTSTATION_APP_H

#include <stdio.h>

#include "dnp3/outstation.h"
#include "dnp3/sa.h"
#include "profile.h"

/* One master's session on the shared database (outstation_app_init_shared). */
typedef struct {
    dnp3_outstation *os;
    void *mem;
    dnp3_sa_outstation *sa; /* its own Secure Authentication state (NULL = off) */
    void *sa_mem;
    const profile_session *rule;
} outstation_app_session;

typedef struct {
    const profile *prof;
    dnp3_outstation *os; /* with sessions: the database, never served itself (no event buffers) */
    void *mem;
    int64_t clock_offset_ms; /* master-set time minus system time */
    uint64_t rng;            /* simulation PRNG state */
    FILE *log;               /* control and time events (NULL = quiet) */
    uint64_t controls_done;
    void *sa_mem; /* Secure Authentication (NULL = off) */
    dnp3_sa_outstation *sa;
    uint16_t sa_user_numbers[DNP3_SA_MAX_USERS];
    const char *sa_key_files[DNP3_SA_MAX_USERS]; /* rewritten after an update-key change */
    size_t sa_users;
    const char *sa_scs_file;    /* rewritten after each accepted user status change */
    struct file_root *files;    /* --file-root: the folder served by file transfer (NULL = off; file_root.h) */
    dnp3_outstation_config cfg; /* what os was built from (its event buffers are the sessions') */
    outstation_app_session sess[PROFILE_MAX_SESSIONS];
    size_t n_sess;
    void (*on_change)(void *ctx); /* a control changed points (events recorded); may be NULL */
    void *on_change_ctx;
} outstation_app;

/* Secure Authentication settings of `dnp3 outstation`. */
typedef struct {
    const dnp3_sa_user *users;
    size_t n;
    const char *const *key_files; /* per user (may be NULL): the file to rewrite after an update-key change */
    const uint8_t *authority_key; /* update-key change permitted with this key (NULL = not permitted) */
    size_t authority_key_len;
    const char *outstation_name; /* for the update-key change ("" by default) */
    const profile_sa *tuning;    /* MAC algorithm, intervals, ... from the config file (NULL = defaults) */
    const char *scs_file;        /* the user status change sequence number, kept across restarts (or NULL) */
    uint32_t scs;                /* its value at start-up */
} outstation_sa_options;

/*
 * Builds the outstation for a profile. datagram: UDP endpoint (affects
 * nothing in the application; the channel is separate). Returns 0, or -1
 * with a message in err.
 */
int outstation_app_init(outstation_app *a, const profile *p, dnp3_tstamp now, FILE *log, uint64_t seed, char *err,
                        size_t err_cap);

/*
 * Builds the point database of a profile and one session on it per rule (several masters at
 * once): updates, controls and the simulation go to the database, and every session buffers
 * its own copy of each event its rule's classes take. Returns 0, or -1 with a message in err.
 */
int outstation_app_init_shared(outstation_app *a, const profile *p, const profile_session *rules, size_t n,
                               dnp3_tstamp now, FILE *log, uint64_t seed, char *err, size_t err_cap);

/* One simulation step: analogs drift within their range, counters count. Returns events recorded. */
int outstation_app_simulate(outstation_app *a, double seconds);

/* Wall-clock time as the outstation sees it (system UTC + what the master set). */
dnp3_time48 outstation_app_utc(const outstation_app *a);

/*
 * Makes the outstation demand Secure Authentication v5 for the critical
 * functions (docs/protocol-notes.md §7.8 default list) from these users. Security events go to
 * the log. With sessions, each session gets SA state of its own, with the users its rule's
 * sa_users name (every user when it names none). Returns 0, or -1 with a message in err.
 */
int outstation_app_enable_sa(outstation_app *a, const outstation_sa_options *o, dnp3_tstamp now, char *err,
                             size_t err_cap);

/* Serve this folder (file_root.h) from the outstation built by the next outstation_app_init (NULL = none). */
void outstation_app_serve_files(struct file_root *r);

void outstation_app_free(outstation_app *a);

#endif
