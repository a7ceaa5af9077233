/*
 * profile.h - the point database a `dnp3 outstation` serves, independent of the
 * library: the built-in substation profile, N points of every type for load
 * tests (--points N), or a YAML file (--config FILE, see config_yaml.c).
 * Also the control-to-status wiring that makes a CROB or analog output change
 * the status points a utility engineer expects to see change.
 */
#ifndef DNP3_CLI_PROFILE_H
#define DNP3_CLI_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The point types an outstation database holds (indexes of profile.points). */
typedef enum {
    PROFILE_BINARY_INPUT = 0,
    PROFILE_DOUBLE_BIT_INPUT,
    PROFILE_BINARY_OUTPUT_STATUS,
    PROFILE_COUNTER,
    PROFILE_FROZEN_COUNTER,
    PROFILE_ANALOG_INPUT,
    PROFILE_ANALOG_OUTPUT_STATUS,
    PROFILE_OCTET_STRING,
    PROFILE_FROZEN_ANALOG_INPUT,
    PROFILE_TYPE_COUNT
} profile_type;

/* "binary_input", ... (the YAML keys and the master's JSON type names). */
const char *profile_type_name(profile_type t);
/* Returns the type for a name, or -1. */
int profile_type_from_name(const char *name);

typedef struct {
    char name[64];
    uint8_t event_class; /* 0 = none, 1..3 */
    double deadband;     /* analogs: change needed for an event */
    double value;        /* binary 0/1, double-bit 0..3, counters, analogs */
    uint8_t flags;       /* initial flags (ONLINE by default) */
    char text[256];      /* octet strings */
    /* simulation (--simulate): analogs drift around `value` within [min, max] */
    double sim_min, sim_max, sim_step;
    bool sim_counter_rate; /* counters: increase with time */
} profile_point;

/* What a control does to status points. */
typedef enum {
    WIRE_CROB = 0, /* a CROB on `index`: on/close/latch-on sets 1, off/trip/latch-off sets 0 */
    WIRE_ANALOG,   /* an analog output on `index`: copies the value */
} wire_kind;

typedef struct {
    wire_kind kind;
    uint32_t index; /* binary output or analog output index */
    char name[64];
    /* targets; -1 where not wired */
    int32_t binary_input;     /* set to the commanded state */
    int32_t double_bit_input; /* DETERMINED_ON for on/close, DETERMINED_OFF for off/trip */
    int32_t binary_output_status;
    int32_t analog_output_status;
    double min, max; /* analog outputs: accepted range (OUT_OF_RANGE otherwise) */
} profile_wire;

/* Secure Authentication settings from the configuration file (key files are read later, by the command). */
#define PROFILE_PATH_MAX 512
#define PROFILE_WHERE_MAX 320 /* "FILE:LINE: field" of a path, for the errors of reading it */

typedef struct {
    uint16_t number;
    char name[33];
    char key_file[PROFILE_PATH_MAX];
    char key_where[PROFILE_WHERE_MAX];
} profile_sa_user;

typedef struct {
    bool enabled;
    profile_sa_user users[16];
    size_t n_users;
    char authority_key_file[PROFILE_PATH_MAX]; /* "" = update-key change not permitted */
    char authority_where[PROFILE_WHERE_MAX];
    char outstation_name[33];
    uint8_t mal;                                                         /* 0 = library default */
    uint32_t key_change_interval_ms, key_change_count, reply_timeout_ms; /* 0 = default */
    bool have_interval, have_count;
    uint8_t max_error_count, challenge_len;
    bool have_max_errors;
    bool aggressive_mode, have_aggressive;
} profile_sa;

/* TLS settings from the configuration file (dnp3/tls.h). */
typedef struct {
    bool enabled;
    char listen[160];
    char cert[PROFILE_PATH_MAX], key[PROFILE_PATH_MAX], ca[PROFILE_PATH_MAX], peer_cert[PROFILE_PATH_MAX],
        crl[PROFILE_PATH_MAX];
    char peer_name[256];
    char ciphers[256];
    uint8_t min_version, max_version; /* 12, 13; 0 = default */
    uint32_t handshake_timeout_ms;
} profile_tls;

/* One master's session of `dnp3 outstation` (the `sessions:` section, config_sessions.c): who may
 * take it and what it gets (docs/outstation-cli.md "Several masters"). */
#define PROFILE_MAX_SESSIONS 16
#define PROFILE_SESSION_ALLOW 8
enum { PROFILE_TR_TCP = 1, PROFILE_TR_UDP = 2, PROFILE_TR_TLS = 4 }; /* profile_session.transports */
typedef struct {
    char name[33];
    char allow[PROFILE_SESSION_ALLOW][64]; /* master IP addresses (none = any) */
    size_t n_allow;
    uint8_t transports;                        /* PROFILE_TR_* bits the session is served over (0 = any) */
    uint8_t event_classes;                     /* DNP3_OS_CLASSx mask of the events it gets */
    bool read_only;                            /* controls answered NOT_AUTHORIZED */
    char tls_names[PROFILE_SESSION_ALLOW][64]; /* TLS certificate common names accepted (none = any) */
    size_t n_tls_names;
    uint16_t sa_users[16]; /* Secure Authentication users accepted in this session (none = every user) */
    size_t n_sa_users;
} profile_session;

typedef struct {
    uint16_t link_addr;
    uint16_t master_addr;
    uint32_t event_buffer; /* events per type */
    uint32_t max_fragment;
    bool unsolicited;
    uint8_t command_event_class; /* g13 / g43 command events in this class (0 = none) */
    uint8_t framing;             /* dnp3_framing_policy: outstation.framing_error (0 = by mode) */
    char device_name[64];
    profile_point *points[PROFILE_TYPE_COUNT];
    uint32_t count[PROFILE_TYPE_COUNT];
    profile_wire *wires;
    uint32_t wire_count;
    profile_sa sa;                                  /* security.secure_authentication */
    profile_tls tls;                                /* security.tls */
    profile_session sessions[PROFILE_MAX_SESSIONS]; /* sessions: (several masters) */
    size_t n_sessions;
} profile;

/* An empty profile with the default settings (addresses 10 and 1, 1000 events, 2048 octets). */
void profile_defaults(profile *p);

/* The built-in "small substation" profile. Returns 0 or -1 (out of memory). */
int profile_substation(profile *p);

/* N points of every type (for load tests and benchmarks). Returns 0 or -1. */
int profile_uniform(profile *p, uint32_t n);

/* Finds a wire for a CROB / analog output index, or NULL. */
const profile_wire *profile_find_wire(const profile *p, wire_kind kind, uint32_t index);

void profile_free(profile *p);

#endif
