/*
 * read.c - the READ function (IEEE 1815-2012 clause 4.2.2.5, function code 1)
 * on the outstation: class polls (g60v1 class 0 = static data, g60v2-v4 event
 * classes with an optional count limit), static reads by range, "all" or
 * index list, event reads per group, device attributes (g0), time (g50v1),
 * internal indications (g80v1) and analog deadbands (g34); variation 0 is
 * answered with each point's default variation.
 *
 * A READ is first turned into a plan (events are selected at once, static
 * headers become items with a cursor) and then written fragment by fragment:
 * events first, then the static items in request order. A fragment that is
 * not the last, or that carries events, asks for a confirm (CON); the next
 * fragment is built when the confirm arrives (clause 4, multi-fragment
 * responses: FIR only on the first, FIN only on the last, SEQ + 1 each time).
 */
#include <string.h>

#include "core/cursor.h"
#include "outstation/os_internal.h"

static bool add_item(dnp3_outstation *os, const os_item *it)
{
    if (os->n_items >= OS_MAX_ITEMS) {
        os->rsp_iin |= DNP3_IIN2_PARAMETER_ERROR;
        return false;
    }
    os->items[os->n_items++] = *it;
    return true;
}

static bool count_qualifier(const dnp3_obj_header *h)
{
    return h->prefix_code == 0 && h->range_code >= 7 && h->range_code <= 9;
}
static bool index_list(const dnp3_obj_header *h)
{
    return h->prefix_code >= 1 && h->prefix_code <= 3;
}

/* Static points of one type: range, all or index list. */
static void plan_static(dnp3_outstation *os, const dnp3_obj_header *h, dnp3_os_type t, uint8_t kind, uint8_t var)
{
    uint32_t n = os->db[t].count;
    os_item it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.type = (uint8_t)t;
    it.variation = var;
    if (h->all) {
        if (n == 0) return;
        it.start = 0;
        it.stop = n - 1;
    } else if (h->has_range) {
        if (h->stop >= n) os->rsp_iin |= DNP3_IIN2_PARAMETER_ERROR;
        if (h->start >= n) return;
        it.start = h->start;
        it.stop = h->stop < n ? h->stop : n - 1;
    } else if (index_list(h) && kind == ITEM_STATIC) {
        it.kind = ITEM_LIST;
        it.list_width = h->prefix_width;
        it.list_off = (uint32_t)(h->data - os->req);
        it.qual = h->prefix_width == 1 ? DNP3_QUAL_COUNT_8_INDEX_8 : DNP3_QUAL_COUNT_16_INDEX_16;
        it.start = 0;
        it.stop = h->count ? h->count - 1 : 0;
        if (h->count == 0) return;
        for (uint32_t i = 0; i < h->count; i++) {
            size_t at = (size_t)i * h->prefix_width;
            uint32_t idx = h->prefix_width == 1   ? h->data[i]
                           : h->prefix_width == 2 ? dnp3_load_u16(h->data + at)
                                                  : dnp3_load_u32(h->data + at);
            if (idx >= n) os->rsp_iin |= DNP3_IIN2_PARAMETER_ERROR;
        }
    } else {
        os->rsp_iin |= DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
        return;
    }
    it.pos = it.start;
    add_item(os, &it);
}

static uint32_t event_limit(const dnp3_obj_header *h, bool *ok)
{
    *ok = true;
    if (h->all) return UINT32_MAX;
    if (count_qualifier(h)) return h->count;
    *ok = false;
    return 0;
}

/* Selects the events a READ header asks for: all of them, or the first `count`. */
static void plan_events(dnp3_outstation *os, const dnp3_obj_header *h, uint32_t type_mask, uint8_t class_mask,
                        uint8_t var)
{
    bool ok;
    uint32_t limit = event_limit(h, &ok);
    if (!ok) {
        os->rsp_iin |= DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
        return;
    }
    dnp3_os_ev_select(os, type_mask, class_mask, var, limit);
}

static void plan_header(dnp3_outstation *os, const dnp3_obj_header *h)
{
    const uint8_t g = h->group, v = h->variation;
    os_item it;
    memset(&it, 0, sizeof it);
    switch (g) {
    case 60:
        if (v == 1) {
            if (!h->all) {
                os->rsp_iin |= DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
                return;
            }
            for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
                if (os->db[t].count == 0) continue;
                it.kind = ITEM_STATIC;
                it.class0 = true;
                it.type = (uint8_t)t;
                it.start = 0;
                it.stop = os->db[t].count - 1u;
                if (!add_item(os, &it)) return;
            }
            return;
        }
        plan_events(os, h, OS_EV_ALL, (uint8_t)(1u << (v - 1)), 0);
        return;
    case 0:
        if (!h->has_range || h->start != h->stop || h->start != 0 || !dnp3_os_attr_known(os, v)) {
            os->rsp_iin |= DNP3_IIN2_OBJECT_UNKNOWN;
            return;
        }
        it.kind = ITEM_ATTR;
        it.variation = v;
        add_item(os, &it);
        return;
    case 50:
        if (v != 1 || !(h->all || (count_qualifier(h) && h->count == 1))) {
            os->rsp_iin |= v == 1 ? DNP3_IIN2_PARAMETER_ERROR : DNP3_IIN2_OBJECT_UNKNOWN;
            return;
        }
        it.kind = ITEM_TIME;
        add_item(os, &it);
        return;
    case 80:
        if (h->all) {
            it.start = 0;
            it.stop = 15;
        } else if (h->has_range && h->stop <= 15) {
            it.start = h->start;
            it.stop = h->stop;
        } else {
            os->rsp_iin |= DNP3_IIN2_PARAMETER_ERROR;
            return;
        }
        it.kind = ITEM_IIN;
        add_item(os, &it);
        return;
    case 122: /* security statistic events: only with Secure Authentication attached */
        if (!os->sa || v > 2) {
            os->rsp_iin |= DNP3_IIN2_OBJECT_UNKNOWN;
            return;
        }
        plan_events(os, h, 1u << OS_SEC_STAT, 0x0E, v);
        return;
    case 13: /* binary / analog output command events: only when configured */
    case 43: {
        const int ring = g == 13 ? OS_CMD_BO : OS_CMD_AO;
        if (os->ev[ring].cap == 0 || (v != 0 && !dnp3_os_event_var_ok((dnp3_os_type)ring, v))) {
            os->rsp_iin |= DNP3_IIN2_OBJECT_UNKNOWN;
            return;
        }
        plan_events(os, h, 1u << ring, 0x0E, v);
        return;
    }
    case 34:
        if (v > 3) break;
        plan_static(os, h, DNP3_OS_ANALOG_INPUT, ITEM_DEADBAND, v ? v : 1);
        return;
    default: break;
    }

    bool is_event = false;
    int t = dnp3_os_type_of_group(g, &is_event);
    if (t < 0) {
        os->rsp_iin |= DNP3_IIN2_OBJECT_UNKNOWN;
        return;
    }
    const bool octets = t == DNP3_OS_OCTET_STRING;
    if (is_event) {
        if (!octets && v != 0 && !dnp3_os_event_var_ok((dnp3_os_type)t, v)) {
            os->rsp_iin |= DNP3_IIN2_OBJECT_UNKNOWN;
            return;
        }
        plan_events(os, h, 1u << t, 0x0E, octets ? 0 : v);
        return;
    }
    if (!octets && v != 0 && !dnp3_os_static_var_ok((dnp3_os_type)t, v)) {
        os->rsp_iin |= DNP3_IIN2_OBJECT_UNKNOWN;
        return;
    }
    plan_static(os, h, (dnp3_os_type)t, ITEM_STATIC, octets ? 0 : v);
}

/* ---- writing ---- */

static uint8_t point_var(const dnp3_outstation *os, const os_item *it, uint32_t index)
{
    if (it->type == DNP3_OS_OCTET_STRING) return os->db[it->type].oct_len[index];
    uint8_t v = it->variation ? it->variation : os->db[it->type].pts[index].svar;
    /* packed variations cannot carry an index prefix: answer an index list with flags (v2) */
    if (it->kind == ITEM_LIST && v == 1 &&
        (it->type == DNP3_OS_BINARY_INPUT || it->type == DNP3_OS_DOUBLE_BIT_INPUT ||
         it->type == DNP3_OS_BINARY_OUTPUT_STATUS))
        v = 2;
    return v;
}

static int add_static(dnp3_outstation *os, dnp3_apdu_writer *w, dnp3_hdr_mark *m, const os_item *it, uint32_t idx)
{
    if (it->kind == ITEM_DEADBAND) {
        dnp3_point p;
        memset(&p, 0, sizeof p);
        p.value = os->db[DNP3_OS_ANALOG_INPUT].deadband[idx];
        return dnp3_apdu_add_point(w, m, idx, &p);
    }
    if (it->type == DNP3_OS_OCTET_STRING) {
        const os_table *tb = &os->db[DNP3_OS_OCTET_STRING];
        return dnp3_apdu_add_raw(w, m, idx, tb->oct + (size_t)idx * os->cfg.octet_string_size, tb->oct_len[idx]);
    }
    dnp3_point p;
    dnp3_os_point_of(os, (dnp3_os_type)it->type, (uint16_t)idx, &p);
    return dnp3_apdu_add_point(w, m, idx, &p);
}

/* A point a class 0 poll leaves out (a run of class 0 points ends before it). */
static bool left_out(const dnp3_outstation *os, const os_item *it, uint32_t index)
{
    return it->class0 && (os->db[it->type].pts[index].cls & OS_NOT_CLASS0) != 0;
}

/* Range items (static points, deadbands). Returns true when the item is complete. */
static bool write_range(dnp3_outstation *os, dnp3_apdu_writer *w, os_item *it)
{
    const uint8_t group = it->kind == ITEM_DEADBAND ? 34 : dnp3_os_static_group((dnp3_os_type)it->type);
    while (it->pos <= it->stop) {
        if (left_out(os, it, it->pos)) {
            it->pos++;
            continue;
        }
        const uint8_t var = it->kind == ITEM_DEADBAND ? it->variation : point_var(os, it, it->pos);
        dnp3_hdr_mark m;
        if (dnp3_apdu_begin_range_auto(w, &m, group, var, it->pos, it->stop) != DNP3_OK) return false;
        int rc = DNP3_OK;
        while (it->pos <= it->stop) {
            if (it->kind != ITEM_DEADBAND && point_var(os, it, it->pos) != var) break;
            if (left_out(os, it, it->pos)) break;
            rc = add_static(os, w, &m, it, it->pos);
            if (rc != DNP3_OK) break;
            it->pos++;
        }
        dnp3_apdu_end(w, &m);
        if (rc == DNP3_ERR_FRAGMENT_FULL) return false;
        if (rc != DNP3_OK) it->pos++; /* cannot encode: skip the point rather than loop */
    }
    return true;
}

static uint32_t list_index(const dnp3_outstation *os, const os_item *it, uint32_t pos)
{
    const uint8_t *p = os->req + it->list_off + (size_t)pos * it->list_width;
    return it->list_width == 1 ? p[0] : it->list_width == 2 ? dnp3_load_u16(p) : dnp3_load_u32(p);
}

static bool write_list(dnp3_outstation *os, dnp3_apdu_writer *w, os_item *it)
{
    const uint8_t group = dnp3_os_static_group((dnp3_os_type)it->type);
    const uint32_t n = os->db[it->type].count;
    while (it->pos <= it->stop) {
        uint32_t idx = list_index(os, it, it->pos);
        if (idx >= n) {
            it->pos++;
            continue;
        }
        const uint8_t var = point_var(os, it, idx);
        dnp3_hdr_mark m;
        if (dnp3_apdu_begin_indexed(w, &m, group, var, it->qual) != DNP3_OK) return false;
        int rc = DNP3_OK;
        while (it->pos <= it->stop) {
            idx = list_index(os, it, it->pos);
            if (idx >= n) {
                it->pos++;
                continue;
            }
            if (point_var(os, it, idx) != var) break;
            rc = add_static(os, w, &m, it, idx);
            if (rc != DNP3_OK) break;
            it->pos++;
        }
        dnp3_apdu_end(w, &m);
        if (rc == DNP3_ERR_FRAGMENT_FULL) return false;
        if (rc != DNP3_OK && rc != DNP3_ERR_STATE) it->pos++;
    }
    return true;
}

static bool write_item(dnp3_outstation *os, dnp3_apdu_writer *w, os_item *it, uint16_t iin)
{
    dnp3_hdr_mark m;
    dnp3_point p;
    memset(&p, 0, sizeof p);
    switch (it->kind) {
    case ITEM_STATIC:
    case ITEM_DEADBAND: return write_range(os, w, it);
    case ITEM_LIST: return write_list(os, w, it);
    case ITEM_ATTR: return dnp3_os_attr_write(os, w, it->variation, &it->pos);
    case ITEM_TIME:
        p.time = dnp3_os_utc_now(os);
        p.time_kind = DNP3_TIME_ABSOLUTE;
        if (dnp3_apdu_begin_count(w, &m, 50, 1) != DNP3_OK) return false;
        if (dnp3_apdu_add_point(w, &m, 0, &p) != DNP3_OK) {
            dnp3_apdu_end(w, &m);
            return false;
        }
        dnp3_apdu_end(w, &m);
        return true;
    case ITEM_IIN:
        if (dnp3_apdu_begin_range_auto(w, &m, 80, 1, it->start, it->stop) != DNP3_OK) return false;
        for (uint32_t i = it->start; i <= it->stop; i++) {
            p.value = (iin >> i) & 1u;
            if (dnp3_apdu_add_point(w, &m, i, &p) != DNP3_OK) {
                dnp3_apdu_end(w, &m);
                return false;
            }
        }
        dnp3_apdu_end(w, &m);
        return true;
    default: return true;
    }
}

static void build(dnp3_outstation *os, bool first, uint8_t seq, dnp3_tstamp now)
{
    dnp3_apdu_writer w;
    dnp3_apdu_writer_init_response(&w, os->sol, os->cfg.max_tx_fragment, 0, DNP3_FC_RESPONSE, 0);
    bool wrote_ev = false;
    bool done = dnp3_os_ev_write(os, &w, EV_WRITTEN_SOL, &wrote_ev);
    if (!done && !wrote_ev) { /* not one event fits an empty fragment: give up on them */
        dnp3_os_ev_revert(os, EV_SELECTED, EV_SELECTED);
        os->rsp_iin |= DNP3_IIN2_PARAMETER_ERROR;
        done = true;
    }
    if (done) {
        uint16_t iin_now = dnp3_os_iin(os) | os->rsp_iin;
        while (os->cur_item < os->n_items) {
            if (write_item(os, &w, &os->items[os->cur_item], iin_now)) {
                os->cur_item++;
                continue;
            }
            if (w.len == 4 && !wrote_ev) { /* not even one object fits an empty fragment */
                os->rsp_iin |= DNP3_IIN2_PARAMETER_ERROR;
                os->cur_item++;
                continue;
            }
            break;
        }
        done = os->cur_item >= os->n_items;
    }
    bool con = wrote_ev || !done;
    dnp3_apdu_writer_set_iin(&w, dnp3_os_iin(os) | os->rsp_iin);
    if (dnp3_os_bcast_after_build(os)) {
        con = true;
        os->sol_bcast_con = true;
    }
    dnp3_apdu_writer_set_control(&w, dnp3_ac_make(first, done, con, false, seq));
    os->sol_len = w.len;
    os->sol_ready = true;
    os->sol_repeatable = false;
    os->sol_more = !done;
    os->sol_seq = seq;
    os->sol_await = con;
    os->sol_deadline = now + os->cfg.confirm_timeout_ms;
}

void dnp3_os_read(dnp3_outstation *os, const dnp3_apdu *req, dnp3_tstamp now)
{
    os->n_items = 0;
    os->cur_item = 0;
    os->rsp_iin = 0;
    dnp3_hdr_iter hi;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&hi, req);
    while (dnp3_hdr_iter_next(&hi, &h, NULL) > 0) plan_header(os, &h);
    build(os, true, dnp3_ac_seq(req->control), now);
}

void dnp3_os_read_next(dnp3_outstation *os, dnp3_tstamp now)
{
    build(os, false, (uint8_t)((os->sol_seq + 1) & DNP3_AC_SEQ_MASK), now);
}
