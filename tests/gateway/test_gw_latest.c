/*
 * test_gw_latest.c - the `latest` table of `dnp3 master run` (docs/gateway.md,
 * "Schema"): upserting only the rows gw_latest_waves picks, wave 0 then wave 1,
 * leaves the table exactly as upserting every row of the batch in order would,
 * for seeded random batches over a few points (time stamps with ties, rows
 * without a time, points already in the table with and without a time), and
 * never puts one point twice in a wave (PostgreSQL's upsert forbids it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gateway.h"

#define POINTS 8 /* 2 outstations x 2 types x 2 indexes */

typedef struct {
    bool present, has_time;
    int64_t time_ms;
    double value;
} latest_row;

static const char *const STATIONS[] = {"rtu1", "rtu2"}, *const TYPES[] = {"analog_input", "counter"};

static int point_of(const gw_row *r)
{
    return (strcmp(r->outstation, "rtu2") == 0) * 4 + (strcmp(r->type, "counter") == 0) * 2 + (int)r->index;
}

/* The upsert of the sinks: a row replaces the point's value when either has no time stamp or its
 * time is at least as new. */
static void upsert(latest_row *t, const gw_row *r)
{
    latest_row *l = &t[point_of(r)];
    if (!l->present || !r->has_time || !l->has_time || r->time_ms >= l->time_ms)
        *l = (latest_row){true, r->has_time, r->time_ms, r->value};
}

static uint32_t rng = 1815;
static uint32_t next(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void waves_equal_row_by_row(void **state)
{
    (void)state;
    gw_row rows[40];
    size_t wave[40];
    for (int iter = 0; iter < 20000; iter++) {
        latest_row by_row[POINTS], by_wave[POINTS];
        for (int p = 0; p < POINTS; p++) { /* what the table held before */
            by_row[p] = (latest_row){next() % 2 == 0, next() % 3 != 0, (int64_t)(next() % 8), -1.0 - p};
            by_wave[p] = by_row[p];
        }
        size_t n = 1 + next() % 40;
        memset(rows, 0, sizeof rows);
        for (size_t i = 0; i < n; i++) {
            gw_row *r = &rows[i];
            r->outstation = STATIONS[next() % 2];
            r->type = TYPES[next() % 2];
            r->index = next() % 2;
            r->has_time = next() % 4 != 0;
            r->time_ms = (int64_t)(next() % 8); /* few values: ties and reordering */
            r->has_value = true;
            r->value = (double)i;
            upsert(by_row, r);
        }
        size_t n_waves = gw_latest_waves(rows, n, wave);
        assert_true(n_waves == 1 || n_waves == 2);
        for (size_t w = 0; w < n_waves; w++) {
            bool seen[POINTS] = {false};
            for (size_t i = 0; i < n; i++) {
                if (wave[i] != w) continue;
                assert_false(seen[point_of(&rows[i])]); /* once per statement */
                seen[point_of(&rows[i])] = true;
                upsert(by_wave, &rows[i]);
            }
        }
        for (int p = 0; p < POINTS; p++) {
            assert_int_equal(by_row[p].present, by_wave[p].present);
            assert_int_equal(by_row[p].has_time, by_wave[p].has_time);
            assert_int_equal(by_row[p].time_ms, by_wave[p].time_ms);
            assert_true(by_row[p].value == by_wave[p].value);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(waves_equal_row_by_row)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
