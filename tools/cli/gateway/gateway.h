/*
 * gateway.h - `dnp3 master run`: a master station that keeps what it collects
 * (docs/gateway.md). One master association per configured outstation on one
 * libuv loop; every response's measurements go to a sink (SQLite or
 * PostgreSQL) as one batch, and the application confirm of a response that
 * carries events is released (dnp3_master_release_confirm) only after the
 * sink committed the batch.
 */
#ifndef DNP3_CLI_GATEWAY_H
#define DNP3_CLI_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls_cli.h"

/* ---- configuration ---- */

/* How --mqtt's address asked for the broker: HOST, mqtt:// or mqtts:// (or tls: false / true). */
typedef enum { GW_MQTT_BARE, GW_MQTT_PLAIN, GW_MQTT_TLS } gw_mqtt_scheme; /* HOST, mqtt://, mqtts:// */

typedef struct {
    char type[32]; /* dnp3_point_type_name: analog_input, counter, ... */
    uint32_t index;
    char name[64];
    char unit[16];
} gw_point_name;

typedef struct {
    char name[64];
    char target[160];            /* HOST[:PORT] or tcp://HOST:PORT */
    uint16_t link_addr;          /* the outstation's (default 10) */
    uint16_t master_addr;        /* ours (default 1) */
    uint32_t integrity_period_s; /* default 3600, 0 = start-up only */
    uint32_t event_period_s;     /* class 1-3 poll period, default 5, 0 = none */
    bool unsolicited;            /* enable unsolicited reporting at start-up (default true) */
    uint32_t timeout_ms;         /* response timeout (default 5000) */
    bool commands;               /* accept commands from MQTT PREFIX/NAME/command (default false) */
    /* Secure Authentication v5 (security: secure_authentication:), the gateway as the master user */
    bool sa;
    uint16_t sa_user;                  /* default 1 */
    char sa_key_file[512];             /* the user's update key (32 or 64 hex digits) */
    char sa_key_where[320];            /* "FILE:LINE: path" of its name, for the messages */
    bool sa_aggressive;                /* critical requests in aggressive mode (default false) */
    uint32_t sa_key_change_interval_s; /* session keys renewed after (default 600; 0 = by count only) */
    uint32_t sa_key_change_count;      /* ... or after this many authenticated messages (default 1000) */
    gw_point_name *points;
    size_t n_points;
} gw_outstation_cfg;

typedef enum { GW_STORE_NONE = 0, GW_STORE_SQLITE, GW_STORE_POSTGRES } gw_store_kind;

typedef struct {
    gw_outstation_cfg *outstations;
    size_t n_outstations;
    gw_store_kind store;
    char sqlite_path[512];
    char pg_conninfo[1024];
    /* MQTT publishing (besides or instead of the store) */
    bool mqtt;
    char mqtt_host[256];
    uint16_t mqtt_port;    /* 0 until gw_mqtt_settle: then 8883 with TLS, else 1883 */
    char mqtt_prefix[128]; /* default "dnp3" */
    bool sparkplug;        /* mqtt format: false = JSON per point, true = Sparkplug B */
    char mqtt_group[128];  /* Sparkplug group id (default: the prefix) */
    char mqtt_node[64];    /* Sparkplug edge node id: the gateway's name (default: the host name) */
    bool mqtt_commands;    /* false: no command topic at all, whatever the outstations say (default true) */
    char mqtt_user[128];   /* broker login (optional) */
    char mqtt_password[256];
    /* MQTT over TLS (gw_mqtt_tls.c): on with mqtts:// or any of the files; the broker's certificate
     * is always verified, with its name, against mqtt_ca (else the system's CA store) */
    bool mqtt_tls;
    gw_mqtt_scheme mqtt_scheme;                       /* what --mqtt's address or the YAML url: said */
    int mqtt_tls_key;                                 /* the YAML tls: key: -1 not given, 0 false, 1 true */
    bool mqtt_url;                                    /* the YAML gave url: (then neither host: nor port:) */
    char mqtt_ca[512], mqtt_cert[512], mqtt_key[512]; /* "" = not given */
    /* DNP3 over TLS to tls:// targets (IEC 62351-3): the gateway's certificate and trust, from the
     * --tls-* options or the tls: section (the file names live in the tls_* arrays) */
    tls_cli_options tls;
    char tls_cert[512], tls_key[512], tls_ca[512], tls_peer_cert[512], tls_crl[512], tls_peer_name[256];
    /* --shard K/N: this process runs the outstations whose name hashes to K (gw_shard_of);
     * shard_n = 0: every outstation */
    unsigned shard_k, shard_n;
} gw_config;

/* ---- the MQTT broker's address and TLS (gw_mqtt_tls.c) ---- */

/* Parses HOST[:PORT], mqtt://HOST[:PORT] or mqtts://HOST[:PORT] ([IPv6]:PORT too); *port = 0 when
 * not given. Returns 0, or -1 with the problem in why. */
int gw_mqtt_address(const char *s, char *host, size_t host_cap, uint16_t *port, gw_mqtt_scheme *scheme, char *why,
                    size_t why_cap);
/* After the options: certificate and key both or neither; the scheme and the tls: key agree (no
 * tls: true with mqtt://, no tls: false with mqtts://); no files without TLS. Sets mqtt_tls (mqtts://,
 * tls: true or a file given) and the default port (8883 with TLS, else 1883). 0 or -1 (why). */
int gw_mqtt_settle(gw_config *c, char *why, size_t why_cap);
/* The TLS context libmosquitto uses (an SSL_CTX, MOSQ_OPT_SSL_CTX): built from mqtt_ca (else the
 * system's CA store), mqtt_cert and mqtt_key, checking the broker's certificate and its name against
 * mqtt_host. NULL with the problem (naming the file) in why. */
typedef struct gw_mqtt_tls gw_mqtt_tls;
gw_mqtt_tls *gw_mqtt_tls_new(const gw_config *c, char *why, size_t why_cap);
void *gw_mqtt_tls_ctx(gw_mqtt_tls *t);
/* Why the last handshake refused the broker's certificate ("" if it did not), then forgotten. */
const char *gw_mqtt_tls_take_error(gw_mqtt_tls *t, char *buf, size_t cap);
void gw_mqtt_tls_free(gw_mqtt_tls *t);

/* The embedded default store: with neither a database nor MQTT, SQLite in this file of the current
 * directory (gw_config_default_store sets it). */
#define GW_DEFAULT_SQLITE "dnp3.db"
void gw_config_default_store(gw_config *c);

/* Loads a `dnp3 master run --config FILE` YAML file. Returns 0, or -1 with "FILE:LINE: path: message" in err. */
int gw_config_load(const char *file, gw_config *c, char *err, size_t err_cap);
/* The same from memory (the fuzz target's way in); `name` stands for the file in the messages. */
int gw_config_load_buffer(const char *name, const uint8_t *data, size_t size, gw_config *c, char *err,
                          size_t err_cap);
void gw_config_free(gw_config *c);
/* The defaults: no outstations, MQTT port 1883, prefix dnp3, Sparkplug node = the host name. */
void gw_config_defaults(gw_config *c);
/* A Sparkplug group or node id: not empty, no '/', '+', '#'. */
bool gw_sparkplug_id_ok(const char *id);
/* The shard (0..n-1) an outstation belongs to: FNV-1a (32 bits) of its name, modulo n. Stable across
 * machines, versions and the order of the file, so N processes given the same file share the fleet. */
unsigned gw_shard_of(const char *name, unsigned n);
/* Reads --shard's "K/N" (0 <= K < N <= 4096); false on anything else. */
bool gw_parse_shard(const char *s, unsigned *k, unsigned *n);
/* Keeps only the outstations of shard c->shard_k of c->shard_n (nothing to do when shard_n is 0). */
void gw_config_keep_shard(gw_config *c);
/* The defaults of an outstation entry (link 10, master 1, integrity 3600 s, events 5 s, unsolicited). */
void gw_outstation_defaults(gw_outstation_cfg *o);

/* ---- sink ---- */

/* One stored measurement. */
typedef struct {
    const char *outstation;
    const char *type; /* dnp3_point_type_name */
    uint32_t index;
    bool has_value;
    double value;
    const char *text; /* octet strings, device attributes (NUL-terminated) or NULL */
    bool has_flags;
    uint8_t flags;
    bool has_time; /* time_ms is the outstation's time stamp (UTC ms) */
    int64_t time_ms;
    int64_t received_ms; /* our UTC when the fragment arrived */
    bool event;
    const char *name, *unit; /* from the configuration, or NULL */
} gw_row;

/* The state of one outstation (the outstations table). */
typedef struct {
    const char *name;
    const char *target;
    bool connected;
    uint16_t iin;
    bool has_response;
    int64_t last_response_ms;
} gw_status;

/* One command from MQTT, as audited in the commands table. */
typedef struct {
    const char *outstation;
    const char *who; /* as the request names its sender ("client"), else "unknown" */
    int64_t issued_ms;
    const char *command; /* the request, e.g. "crob 0 trip" or "analog 0 = 138" */
    const char *type;    /* "crob", "analog_output" or NULL (not understood) */
    bool has_index;
    uint32_t index;
    bool has_value;
    double value;
    const char *result; /* SUCCESS, or why not */
    int64_t completed_ms;
} gw_audit;

typedef struct gw_sink gw_sink;

typedef struct {
    const char *name; /* "sqlite", "postgres" */
    /* Connects / opens and creates the schema. 0 or -1 (message in err). */
    int (*open)(gw_sink *s, char *err, size_t err_cap);
    /* Adds these rows and the outstation's status to the transaction, starting it on the first write
     * after a commit or rollback (a group commit writes several outstations' batches). 0 or -1; on -1
     * the transaction is rolled back. */
    int (*write)(gw_sink *s, const gw_row *rows, size_t n, const gw_status *st, char *err, size_t err_cap);
    /* Commits what write started: 0 = durable. On -1 the batch is rolled back. */
    int (*commit)(gw_sink *s, char *err, size_t err_cap);
    /* Drops an unfinished transaction (after a failed write). */
    void (*rollback)(gw_sink *s);
    /* False when the store is known to be unreachable (the caller reopens with back-off). */
    bool (*healthy)(gw_sink *s);
    void (*close)(gw_sink *s);
    /* Records the configured names and units of an outstation's points (the points table);
     * NULL when the sink has no use for them. 0 or -1. */
    int (*points)(gw_sink *s, const char *outstation, const gw_point_name *pts, size_t n, char *err,
                  size_t err_cap);
    /* Records a command in the commands table (its own transaction); NULL for MQTT. 0 or -1. */
    int (*audit)(gw_sink *s, const gw_audit *a, char *err, size_t err_cap);
} gw_sink_ops;

struct gw_sink {
    const gw_sink_ops *ops;
    void *impl;
};

/* The SQL both stores run to create the schema (CREATE ... IF NOT EXISTS); then each store adds the
 * column commands.who to a version 1 schema and runs GW_SCHEMA_V2_SQL (schema_version 2). */
extern const char *const GW_SCHEMA_SQL[];
extern const char *const GW_SCHEMA_V2_SQL;
#define GW_SCHEMA_VERSION 2

/*
 * Which rows the latest table needs, and in which statement (an upsert may touch a row only once
 * per statement). Row by row, the latest value of a point is replaced by a row without a time, or
 * when either time is missing, or by a time at least as new. So only two rows of a point can
 * matter: the last one without a time (always taken: wave 0), and after it the last row with the
 * greatest time (taken in wave 1 after such a row, else in wave 0 under the same condition as row
 * by row). Upserting just those, wave 0 then wave 1, gives what row by row would have stored.
 * wave[i] is row i's wave or GW_NO_WAVE; returns the number of waves (1 or 2), or 0 on no memory.
 */
#define GW_NO_WAVE SIZE_MAX
size_t gw_latest_waves(const gw_row *rows, size_t n, size_t *wave);

int gw_sink_sqlite(gw_sink *s, const char *path);
int gw_sink_postgres(gw_sink *s, const char *conninfo);
int gw_sink_mqtt(gw_sink *s, const gw_config *c, char *err, size_t err_cap);
/* Commands from MQTT: fn(ctx, OUTSTATION, payload, len) for every message on PREFIX/OUTSTATION/command,
 * called on the MQTT network thread. Set before the sink is opened. */
typedef void (*gw_command_fn)(void *ctx, const char *outstation, const char *payload, size_t len);
void gw_mqtt_on_command(gw_sink *s, gw_command_fn fn, void *ctx);
/* Publishes a command's result JSON on PREFIX/OUTSTATION/command/result (QoS 1, not retained). */
int gw_mqtt_command_result(gw_sink *s, const char *outstation, const char *json);

/* ---- commands (gw_command.c) ---- */

typedef struct {
    bool crob; /* else analog output */
    uint32_t index;
    uint8_t code; /* crob: DNP3 control code */
    double value; /* analog */
    char code_name[16];
    char client[64]; /* "client" of the request, or empty */
    char id[64];     /* "id" of the request (echoed in the result), or empty */
} gw_command_req;

/* Parses {"crob":N,"code":"trip"} or {"analog":N,"value":V} (optional "client", "id"): 0, or -1
 * with why. */
int gw_command_parse(const char *json, size_t len, gw_command_req *r, char *why, size_t why_cap);
/* Appends s to buf as a JSON string; returns the new length (may exceed cap: truncated). */
size_t gw_json_str(char *buf, size_t cap, size_t n, const char *s);

/* ---- Sparkplug B (sink_sparkplug.c): the state of the edge node and its devices ---- */

typedef struct spb_node spb_node;
/* Publishes one Sparkplug message (QoS 0, not retained); 0 or -1 (err). */
typedef int (*spb_publish_fn)(void *ctx, const char *topic, const void *payload, size_t len, char *err,
                              size_t cap);
/* The node spBv1.0/GROUP/.../NODE; devices are the configured outstations (their points named). */
spb_node *spb_node_new(const gw_config *c);
void spb_node_free(spb_node *n);
/* The NDEATH payload with the current bdSeq (the MQTT will); the caller frees *out. */
int spb_ndeath(spb_node *n, char *topic, size_t topic_cap, uint8_t **out, size_t *len);
/* spBv1.0/GROUP/NCMD/NODE: where a host application sends node commands. */
void spb_ncmd_topic(const spb_node *n, char *topic, size_t cap);
/* An NCMD payload: true (and the next batch starts with NBIRTH and DBIRTHs) when it asks for a
 * rebirth (Node Control/Rebirth = true); other node commands are ignored. */
bool spb_ncmd(spb_node *n, const void *payload, size_t len);
/* spBv1.0/GROUP/DCMD/NODE/+: where a host application writes to the devices' metrics. */
void spb_dcmd_filter(const spb_node *n, char *filter, size_t cap);
/* The device a DCMD topic names, or NULL when `topic` is not one of this node's DCMD topics. */
const char *spb_dcmd_device(const spb_node *n, const char *topic);
/* A DCMD payload for `device`: each metric write becomes the JSON of a gateway command (docs/gateway.md,
 * "Commands from MQTT") in json[i] (at most max of them, 256 octets each): a Boolean written to a
 * binary_output_status metric is a CROB latch-on / latch-off, a number written to an
 * analog_output_status metric an analog output; any other write is refused with a line on stderr.
 * Returns how many commands were made. */
size_t spb_dcmd(spb_node *n, const char *device, const void *payload, size_t len, char (*json)[256], size_t max);
/* A new MQTT session: the next bdSeq (wraps 255 -> 0), the next batch starts with NBIRTH. */
void spb_new_session(spb_node *n);
/* Publishes a batch: NBIRTH and DBIRTHs first when the session is new, then a DBIRTH (new metrics)
 * or DDATA (changes) of the outstation, or its DDEATH when it disconnected. 0 or -1 (err). */
int spb_batch(spb_node *n, const gw_row *rows, size_t count, const gw_status *st, spb_publish_fn pub, void *ctx,
              char *err, size_t cap);

/* `dnp3 master run` */
int cmd_master_run(int argc, char **argv);

#endif
