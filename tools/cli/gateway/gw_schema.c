/*
 * gw_schema.c - the schema of `dnp3 master run`, the same in SQLite and
 * PostgreSQL (docs/gateway.md): measurements (history, events deduplicated
 * by their outstation time stamp), latest (one row per point), outstations,
 * commands (audit), schema_version.
 */
#include "gateway.h"

#include <stddef.h>

const char *const GW_SCHEMA_SQL[] = {
    "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS outstations(name TEXT PRIMARY KEY, target TEXT NOT NULL, connected BOOLEAN NOT "
    "NULL,"
    " iin INTEGER, last_response_ms BIGINT)",
    "CREATE TABLE IF NOT EXISTS measurements(outstation TEXT NOT NULL, type TEXT NOT NULL, idx INTEGER NOT NULL,"
    " value DOUBLE PRECISION, text_value TEXT, flags INTEGER, time_ms BIGINT NULL, received_ms BIGINT NOT NULL,"
    " event BOOLEAN NOT NULL)",
    /* a time-stamped event reported twice (its confirm was lost) is stored once; rows without a
     * time stamp (time_ms NULL) never conflict; also the index for one point over a time range */
    "CREATE UNIQUE INDEX IF NOT EXISTS measurements_key ON measurements(outstation, type, idx, time_ms, value, "
    "flags)",
    /* all points of an outstation by arrival */
    "CREATE INDEX IF NOT EXISTS measurements_by_outstation ON measurements(outstation, received_ms)",
    "CREATE TABLE IF NOT EXISTS latest(outstation TEXT NOT NULL, type TEXT NOT NULL, idx INTEGER NOT NULL,"
    " value DOUBLE PRECISION, text_value TEXT, flags INTEGER, time_ms BIGINT NULL, received_ms BIGINT NOT NULL,"
    " PRIMARY KEY(outstation, type, idx))",
    /* names and units of the configuration's points */
    "CREATE TABLE IF NOT EXISTS points(outstation TEXT NOT NULL, type TEXT NOT NULL, idx INTEGER NOT NULL,"
    " name TEXT, unit TEXT, PRIMARY KEY(outstation, type, idx))",
    "CREATE TABLE IF NOT EXISTS commands(outstation TEXT NOT NULL, issued_ms BIGINT NOT NULL, command TEXT NOT "
    "NULL,"
    " type TEXT, idx INTEGER, value DOUBLE PRECISION, result TEXT, completed_ms BIGINT, who TEXT)",
    "INSERT INTO schema_version(version) SELECT 2 WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
    NULL,
};

/* after commands.who exists (version 2: commands from MQTT, audited with who sent them) */
const char *const GW_SCHEMA_V2_SQL = "UPDATE schema_version SET version = 2 WHERE version < 2";
