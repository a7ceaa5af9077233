/*
 * gw_latest.c - which rows of a batch the `latest` table needs (docs/gateway.md,
 * "Schema"): per point only the last row without a time stamp and the last row
 * with the greatest time can change it, so both stores upsert those (in one or
 * two waves) instead of every row, and store what row by row would have stored.
 */
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

/* Orders rows by point (outstation, type, index), then by position in the batch. */
static const gw_row *sort_rows;
static int by_point(const void *a, const void *b)
{
    const gw_row *x = &sort_rows[*(const size_t *)a], *y = &sort_rows[*(const size_t *)b];
    int c = strcmp(x->outstation, y->outstation);
    if (!c) c = strcmp(x->type, y->type);
    if (!c) c = x->index < y->index ? -1 : x->index > y->index;
    if (!c) c = *(const size_t *)a < *(const size_t *)b ? -1 : 1;
    return c;
}

size_t gw_latest_waves(const gw_row *rows, size_t n, size_t *wave)
{
    size_t *order = malloc(n * sizeof *order);
    if (!order) return 0;
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        wave[i] = GW_NO_WAVE;
    }
    sort_rows = rows;
    qsort(order, n, sizeof *order, by_point);
    size_t most = 1;
    for (size_t g = 0; g < n;) { /* order[g..e): one point's rows in batch order */
        size_t e = g + 1;
        while (e < n && rows[order[e]].index == rows[order[g]].index &&
               !strcmp(rows[order[e]].type, rows[order[g]].type) &&
               !strcmp(rows[order[e]].outstation, rows[order[g]].outstation))
            e++;
        size_t untimed = GW_NO_WAVE, best = GW_NO_WAVE;
        for (size_t k = g; k < e; k++)
            if (!rows[order[k]].has_time) untimed = order[k];
        for (size_t k = g; k < e; k++) {
            const gw_row *r = &rows[order[k]];
            if (!r->has_time || (untimed != GW_NO_WAVE && order[k] < untimed)) continue;
            if (best == GW_NO_WAVE || r->time_ms >= rows[best].time_ms) best = order[k];
        }
        if (untimed != GW_NO_WAVE) wave[untimed] = 0;
        if (best != GW_NO_WAVE) wave[best] = untimed != GW_NO_WAVE ? 1 : 0;
        if (untimed != GW_NO_WAVE && best != GW_NO_WAVE) most = 2;
        g = e;
    }
    free(order);
    return most;
}
