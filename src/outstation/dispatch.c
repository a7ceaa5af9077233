/*
 * dispatch.c - request processing of the outstation (IEEE 1815-2012 clause
 * 4.2: application control and function codes of requests, IIN2 bits for
 * unsupported functions, unknown objects and parameter errors; clause 4.3
 * object headers).
 *
 * For every received fragment:
 *  1. responses are ignored; CONFIRM (FC 0) completes a solicited (UNS = 0) or
 *     unsolicited (UNS = 1) confirm wait with the same SEQ;
 *  2. requests must be FIR + FIN without UNS, else they are ignored;
 *  3. a broadcast is executed for the allowed functions and never answered;
 *     IIN1.0 goes into the next response;
 *  4. a non-READ request equal to the previous one (same SEQ, same octets) is
 *     answered with the previous response and not executed again;
 *  5. a new request abandons the response in progress (its events stay
 *     buffered); a READ while an unsolicited confirm is awaited is deferred
 *     until the confirm or its timeout; other requests are answered at once
 *     and leave it deferred; only a newer READ replaces it;
 *  6. unsupported functions => IIN2.0; pass 1 (dnp3_apdu_validate) checks every
 *     object header; each handler validates all of its headers before it acts
 *     (check, then apply), so a bad request never half-executes.
 * Also here: WRITE (g80v1 IIN, g50v1/g50v3 time, g34 deadbands, g110 octet strings), ASSIGN_CLASS,
 * IMMED_FREEZE / FREEZE_CLEAR / FREEZE_AT_TIME (+ NR; the schedule is in timesync.c),
 * COLD/WARM_RESTART, DELAY_MEASURE and
 * RECORD_CURRENT_TIME.
 */
#include <string.h>

#include "core/cursor.h"
#include "outstation/os_internal.h"

/* ---- WRITE ---- */

static uint16_t write_objects(dnp3_outstation *os, const dnp3_apdu *req, bool apply, dnp3_tstamp now)
{
    dnp3_hdr_iter hi;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&hi, req);
    while (dnp3_hdr_iter_next(&hi, &h, NULL) > 0) {
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &h);
        if (h.group == 80 && h.variation == 1) {
            if (!h.has_range) return DNP3_IIN2_PARAMETER_ERROR;
            while (dnp3_obj_iter_next(&oi, &o)) {
                if (o.index != 7 || o.bits != 0) return DNP3_IIN2_PARAMETER_ERROR;
                if (apply) os->iin_app &= (uint16_t)~DNP3_IIN1_DEVICE_RESTART;
            }
        } else if (h.group == 50 && (h.variation == 1 || h.variation == 3)) {
            if (h.count != 1 || h.prefix_code != 0) return DNP3_IIN2_PARAMETER_ERROR;
            while (dnp3_obj_iter_next(&oi, &o)) {
                uint16_t iin = dnp3_os_time_write(os, h.variation, dnp3_load_u48(o.data), apply, now);
                if (iin) return iin;
            }
        } else if (h.group == 34 && h.variation >= 1 && h.variation <= 3) {
            dnp3_point p;
            while (dnp3_obj_iter_next(&oi, &o)) {
                if (o.index >= os->db[DNP3_OS_ANALOG_INPUT].count) return DNP3_IIN2_PARAMETER_ERROR;
                if (dnp3_point_decode(h.desc, o.data, o.size, 0, &p) != DNP3_OK || !(p.value >= 0))
                    return DNP3_IIN2_PARAMETER_ERROR;
                if (apply) os->db[DNP3_OS_ANALOG_INPUT].deadband[o.index] = (float)p.value;
            }
        } else if (h.group == 110 && h.variation > 0) {
            /* octet-string points: the master sets the value; a change is a g111 event */
            while (dnp3_obj_iter_next(&oi, &o)) {
                if (o.index >= os->db[DNP3_OS_OCTET_STRING].count || o.size > os->cfg.octet_string_size)
                    return DNP3_IIN2_PARAMETER_ERROR;
                if (apply)
                    dnp3_outstation_update_octets(os, (uint16_t)o.index, o.data, o.size, dnp3_os_utc_now(os),
                                                  DNP3_EVENT_DETECT);
            }
        } else {
            return DNP3_IIN2_OBJECT_UNKNOWN;
        }
    }
    return 0;
}

/* ---- ASSIGN_CLASS and freezes: point ranges of static headers ---- */

/* Resolves a header-only point header into start..stop over n points; list headers are checked per index. */
static uint16_t point_range(const dnp3_obj_header *h, uint32_t n, uint32_t *start, uint32_t *stop, bool *list)
{
    *list = false;
    if (h->all) {
        *start = 0;
        *stop = n ? n - 1 : 0;
        return n ? 0 : 0xFFFF; /* 0xFFFF: nothing to do */
    }
    if (h->has_range) {
        if (h->stop >= n) return DNP3_IIN2_PARAMETER_ERROR;
        *start = h->start;
        *stop = h->stop;
        return 0;
    }
    if (h->prefix_code >= 1 && h->prefix_code <= 3) {
        *list = true;
        return 0;
    }
    return DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
}

static uint16_t assign_class(dnp3_outstation *os, const dnp3_apdu *req, bool apply)
{
    dnp3_hdr_iter hi;
    dnp3_obj_header h;
    int cls = -1;
    dnp3_hdr_iter_init(&hi, req);
    while (dnp3_hdr_iter_next(&hi, &h, NULL) > 0) {
        if (h.group == 60) {
            if (!h.all) return DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
            cls = h.variation - 1;
            continue;
        }
        bool is_event = false;
        int t = dnp3_os_type_of_group(h.group, &is_event);
        if (t < 0 || is_event) return DNP3_IIN2_OBJECT_UNKNOWN;
        if (t != DNP3_OS_OCTET_STRING && h.variation != 0 && !dnp3_os_static_var_ok((dnp3_os_type)t, h.variation))
            return DNP3_IIN2_OBJECT_UNKNOWN;
        if (cls < 0) return DNP3_IIN2_PARAMETER_ERROR;
        os_table *tb = &os->db[t];
        uint32_t start = 0, stop = 0;
        bool list;
        uint16_t iin = point_range(&h, tb->count, &start, &stop, &list);
        if (iin == 0xFFFF) continue;
        if (iin) return iin;
        if (list) {
            dnp3_obj_iter oi;
            dnp3_obj o;
            dnp3_obj_iter_init(&oi, &h);
            while (dnp3_obj_iter_next(&oi, &o)) {
                if (o.index >= tb->count) return DNP3_IIN2_PARAMETER_ERROR;
                if (apply)
                    tb->pts[o.index].cls = (uint8_t)((tb->pts[o.index].cls & OS_NOT_CLASS0) | (unsigned)cls);
            }
        } else if (apply) {
            for (uint32_t i = start; i <= stop; i++)
                tb->pts[i].cls = (uint8_t)((tb->pts[i].cls & OS_NOT_CLASS0) | (unsigned)cls);
        }
    }
    return 0;
}

/* The point type a freeze header names: counters (g20) and, on an outstation with frozen analog
 * inputs, analog inputs (g30; IEEE 1815-2012 Annex A g31 "frozen analog input"); -1 for anything
 * else (OBJECT_UNKNOWN). */
static int freezable_type(const dnp3_outstation *os, const dnp3_obj_header *h)
{
    dnp3_os_type t;
    if (h->group == 20)
        t = DNP3_OS_COUNTER;
    else if (h->group == 30 && os->db[DNP3_OS_FROZEN_ANALOG_INPUT].count > 0)
        t = DNP3_OS_ANALOG_INPUT;
    else
        return -1;
    if (h->variation != 0 && !dnp3_os_static_var_ok(t, h->variation)) return -1;
    return (int)t;
}

/* IMMED_FREEZE(_NR), FREEZE_CLEAR(_NR) and, with at_time, FREEZE_AT_TIME(_NR): a g50v2 (time,
 * interval) object first and one point header. Headers name counters (g20) or analog inputs (g30);
 * an analog input cannot be cleared (FREEZE_CLEAR of g30: NO_FUNC_CODE_SUPPORT). */
static uint16_t freeze(dnp3_outstation *os, const dnp3_apdu *req, bool clear, bool at_time, bool apply)
{
    dnp3_hdr_iter hi;
    dnp3_obj_header h;
    dnp3_point tv = {0};
    int headers = 0;
    dnp3_hdr_iter_init(&hi, req);
    while (dnp3_hdr_iter_next(&hi, &h, NULL) > 0) {
        if (at_time && headers++ == 0) {
            dnp3_obj_iter oi;
            dnp3_obj o;
            dnp3_obj_iter_init(&oi, &h);
            if (h.group != 50 || h.variation != 2) return DNP3_IIN2_PARAMETER_ERROR;
            if (h.count != 1 || !dnp3_obj_iter_next(&oi, &o) ||
                dnp3_point_decode(h.desc, o.data, o.size, 0, &tv) != DNP3_OK)
                return DNP3_IIN2_PARAMETER_ERROR;
            continue;
        }
        if (at_time && headers > 2) return DNP3_IIN2_PARAMETER_ERROR; /* one schedule, one range */
        const int t = freezable_type(os, &h);
        if (t < 0) return DNP3_IIN2_OBJECT_UNKNOWN;
        if (clear && t == DNP3_OS_ANALOG_INPUT) return DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
        uint32_t start = 0, stop = 0;
        bool list;
        uint16_t iin = point_range(&h, os->db[t].count, &start, &stop, &list);
        if (iin == 0xFFFF) continue;
        if (iin) return iin;
        if (list) return DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
        if (at_time) {
            iin = dnp3_os_freeze_at(os, (dnp3_os_type)t, tv.time, tv.interval, start, stop, apply, os->req_time);
            if (iin) return iin;
            continue;
        }
        if (apply) dnp3_os_freeze_now(os, (dnp3_os_type)t, start, stop, clear);
    }
    if (at_time && headers < 2) return DNP3_IIN2_PARAMETER_ERROR;
    return 0;
}

/* check, then apply */
#define CHECK_APPLY(iin, call_check, call_apply)                                                                  \
    do {                                                                                                          \
        (iin) = (call_check);                                                                                     \
        if (!(iin)) (iin) = (call_apply);                                                                         \
    } while (0)

static void respond_g52(dnp3_outstation *os, uint8_t seq, uint8_t variation, uint16_t value)
{
    uint8_t obj[6] = {52, variation, DNP3_QUAL_COUNT_8, 1, (uint8_t)value, (uint8_t)(value >> 8)};
    dnp3_os_respond(os, seq, 0, obj, sizeof obj, true);
}

static bool function_supported(uint8_t fc)
{
    switch (fc) {
    case DNP3_FC_READ:
    case DNP3_FC_WRITE:
    case DNP3_FC_SELECT:
    case DNP3_FC_OPERATE:
    case DNP3_FC_DIRECT_OPERATE:
    case DNP3_FC_DIRECT_OPERATE_NR:
    case DNP3_FC_IMMED_FREEZE:
    case DNP3_FC_IMMED_FREEZE_NR:
    case DNP3_FC_FREEZE_CLEAR:
    case DNP3_FC_FREEZE_CLEAR_NR:
    case DNP3_FC_FREEZE_AT_TIME:
    case DNP3_FC_FREEZE_AT_TIME_NR:
    case DNP3_FC_COLD_RESTART:
    case DNP3_FC_WARM_RESTART:
    case DNP3_FC_ENABLE_UNSOLICITED:
    case DNP3_FC_DISABLE_UNSOLICITED:
    case DNP3_FC_ASSIGN_CLASS:
    case DNP3_FC_DELAY_MEASURE:
    case DNP3_FC_RECORD_CURRENT_TIME: return true;
    default: return false;
    }
}

static bool no_response(uint8_t fc)
{
    return fc == DNP3_FC_DIRECT_OPERATE_NR || fc == DNP3_FC_IMMED_FREEZE_NR || fc == DNP3_FC_FREEZE_CLEAR_NR ||
           fc == DNP3_FC_FREEZE_AT_TIME_NR;
}

/* A read-only session (config.read_only) may read, confirm, measure delays, manage its own
 * unsolicited reporting and clear its own DEVICE_RESTART; what would change what every session
 * sees (class assignments, freezes, restarts, time, deadbands, octet strings) is refused. Controls
 * are answered NOT_AUTHORIZED per object (controls.c), file writes and deletes PERMISSION_DENIED
 * (file.c). */
static bool refused_read_only(const dnp3_outstation *os, const dnp3_apdu *req)
{
    if (!os->cfg.read_only) return false;
    const uint8_t fc = req->function;
    if (fc >= DNP3_FC_IMMED_FREEZE && fc <= DNP3_FC_FREEZE_AT_TIME_NR) return true; /* 7..12: every freeze */
    switch (fc) {
    case DNP3_FC_ASSIGN_CLASS:
    case DNP3_FC_COLD_RESTART:
    case DNP3_FC_WARM_RESTART: return true;
    case DNP3_FC_WRITE: {
        if (dnp3_os_file_is_transfer(os, req)) return false;
        dnp3_hdr_iter hi;
        dnp3_obj_header h;
        dnp3_hdr_iter_init(&hi, req);
        while (dnp3_hdr_iter_next(&hi, &h, NULL) > 0)
            if (h.group != 80 || h.variation != 1) return true;
        return false;
    }
    default: return false;
    }
}

void dnp3_os_execute(dnp3_outstation *os, const dnp3_apdu *req, dnp3_broadcast_kind bcast, uint8_t pre_status,
                     dnp3_tstamp now)
{
    const uint8_t fc = req->function, seq = dnp3_ac_seq(req->control);
    const bool respond = bcast == DNP3_BCAST_NONE && !no_response(fc);
    uint16_t iin = 0;

    if (!function_supported(fc) && !dnp3_os_file_supported(os, fc)) {
        if (respond) dnp3_os_respond(os, seq, DNP3_IIN2_NO_FUNC_CODE_SUPPORT, NULL, 0, true);
        return;
    }
    dnp3_parse_error pe = {0, 0, 0, 0, 0};
    int rc = dnp3_apdu_validate(req, &pe);
    if (rc < 0) {
        uint16_t perr = dnp3_parse_error_iin(rc);
        if (respond) dnp3_os_respond(os, seq, perr, NULL, 0, fc != DNP3_FC_READ);
        return;
    }
    if (refused_read_only(os, req)) {
        if (respond) dnp3_os_respond(os, seq, DNP3_IIN2_NO_FUNC_CODE_SUPPORT, NULL, 0, true);
        return;
    }
    if (respond &&
        (dnp3_os_file_supported(os, fc) || (fc == DNP3_FC_WRITE && dnp3_os_file_is_transfer(os, req)))) {
        dnp3_os_file_execute(os, req);
        return;
    }
    if (respond && fc == DNP3_FC_READ && dnp3_os_file_is_transfer(os, req)) {
        dnp3_os_file_read(os, req);
        return;
    }
    switch (fc) {
    case DNP3_FC_READ: dnp3_os_read(os, req, now); return;
    case DNP3_FC_SELECT:
    case DNP3_FC_OPERATE:
    case DNP3_FC_DIRECT_OPERATE:
    case DNP3_FC_DIRECT_OPERATE_NR: dnp3_os_controls(os, req, respond, pre_status, now); return;
    case DNP3_FC_WRITE:
        CHECK_APPLY(iin, write_objects(os, req, false, now), write_objects(os, req, true, now));
        break;
    case DNP3_FC_ASSIGN_CLASS: CHECK_APPLY(iin, assign_class(os, req, false), assign_class(os, req, true)); break;
    case DNP3_FC_IMMED_FREEZE:
    case DNP3_FC_IMMED_FREEZE_NR:
    case DNP3_FC_FREEZE_CLEAR:
    case DNP3_FC_FREEZE_CLEAR_NR:
    case DNP3_FC_FREEZE_AT_TIME:
    case DNP3_FC_FREEZE_AT_TIME_NR: {
        bool clear = fc == DNP3_FC_FREEZE_CLEAR || fc == DNP3_FC_FREEZE_CLEAR_NR;
        bool at = fc == DNP3_FC_FREEZE_AT_TIME || fc == DNP3_FC_FREEZE_AT_TIME_NR;
        CHECK_APPLY(iin, freeze(os, req, clear, at, false), freeze(os, req, clear, at, true));
        break;
    }
    case DNP3_FC_ENABLE_UNSOLICITED:
    case DNP3_FC_DISABLE_UNSOLICITED: iin = dnp3_os_unsol_enable(os, req, fc == DNP3_FC_ENABLE_UNSOLICITED); break;
    case DNP3_FC_RECORD_CURRENT_TIME: dnp3_os_time_record(os, now); break;
    case DNP3_FC_DELAY_MEASURE:
        if (respond) respond_g52(os, seq, 2, dnp3_os_time_delay(os, now));
        return;
    case DNP3_FC_COLD_RESTART:
    case DNP3_FC_WARM_RESTART: {
        dnp3_restart_delay d = {false, false, 0};
        if (os->cb.restart) d = os->cb.restart(os->cb.ctx, fc == DNP3_FC_COLD_RESTART);
        if (!respond) return;
        if (!d.supported)
            dnp3_os_respond(os, seq, DNP3_IIN2_NO_FUNC_CODE_SUPPORT, NULL, 0, true);
        else
            respond_g52(os, seq, d.milliseconds ? 2 : 1, d.delay);
        return;
    }
    default: break;
    }
    if (respond) dnp3_os_respond(os, seq, iin, NULL, 0, true);
}

/* Functions a broadcast may carry (never answered). */
static bool broadcast_allowed(uint8_t fc)
{
    switch (fc) {
    case DNP3_FC_WRITE:
    case DNP3_FC_DIRECT_OPERATE_NR:
    case DNP3_FC_IMMED_FREEZE_NR:
    case DNP3_FC_FREEZE_CLEAR_NR:
    case DNP3_FC_FREEZE_AT_TIME_NR:
    case DNP3_FC_RECORD_CURRENT_TIME:
    case DNP3_FC_ENABLE_UNSOLICITED:
    case DNP3_FC_DISABLE_UNSOLICITED: return true;
    default: return false;
    }
}

/* OPERATE against the stored SELECT (which must be the previous request). */
static uint8_t match_select(const dnp3_outstation *os, const dnp3_apdu *op, dnp3_tstamp now)
{
    if (!os->sel_active || os->req_counter != os->sel_counter + 1) return DNP3_CS_NO_SELECT;
    if (dnp3_ac_seq(op->control) != ((os->sel_seq + 1) & DNP3_AC_SEQ_MASK)) return DNP3_CS_NO_SELECT;
    if (!os->req_valid || os->req_len < 2 || os->req_len - 2 != op->objects_len ||
        memcmp(os->req + 2, op->objects, op->objects_len) != 0)
        return DNP3_CS_NO_SELECT;
    if (now - os->sel_time >= os->cfg.select_timeout_ms) return DNP3_CS_TIMEOUT;
    return DNP3_CS_SUCCESS;
}

static void on_confirm(dnp3_outstation *os, const dnp3_apdu *a, dnp3_tstamp now)
{
    const uint8_t seq = dnp3_ac_seq(a->control);
    if (a->control & DNP3_AC_UNS) {
        if (dnp3_os_unsol_confirm(os, seq)) dnp3_os_dispatch_deferred(os, now);
        return;
    }
    if (!os->sol_await || os->sol_ready || seq != os->sol_seq) return; /* not sent yet: cannot be confirmed */
    os->sol_await = false;
    dnp3_os_ev_remove(os, EV_WRITTEN_SOL);
    if (os->sol_bcast_con) os->bcast = BC_NONE;
    os->sol_bcast_con = false;
    if (os->sol_more) dnp3_os_read_next(os, now);
}

void dnp3_os_dispatch_deferred(dnp3_outstation *os, dnp3_tstamp now)
{
    if (!os->deferred_read || os->sol_ready) return; /* a request that ran ahead is answered first */
    os->deferred_read = false;
    memcpy(os->req, os->dfr, os->dfr_len); /* it becomes the last request (index lists are read from req) */
    os->req_len = os->dfr_len;
    os->req_valid = true;
    os->sol_repeatable = false;
    dnp3_apdu a;
    if (dnp3_apdu_parse(os->req, os->req_len, &a) != DNP3_OK) return;
    os->req_time = now;
    dnp3_os_execute(os, &a, DNP3_BCAST_NONE, DNP3_CS_SUCCESS, now);
}

int dnp3_outstation_receive(dnp3_outstation *os, const uint8_t *apdu, size_t len, dnp3_broadcast_kind bcast,
                            dnp3_tstamp now)
{
    if (!os || !apdu) return DNP3_ERR_INVALID_ARG;
    dnp3_apdu a;
    if (dnp3_apdu_parse(apdu, len, &a) != DNP3_OK || dnp3_fc_is_response(a.function)) return DNP3_OK;
    if (dnp3_apdu_check_control(&a) != DNP3_OK) return DNP3_OK;
    if (a.function == DNP3_FC_CONFIRM) {
        if (a.objects_len == 0 && bcast == DNP3_BCAST_NONE) on_confirm(os, &a, now);
        return DNP3_OK;
    }
    if (len > os->cfg.max_rx_fragment) return DNP3_OK;
    if (os->sa) { /* Secure Authentication: critical requests run only once authenticated */
        if (!dnp3_os_sa_filter(os, &apdu, &len, bcast, now)) return DNP3_OK;
        if (dnp3_apdu_parse(apdu, len, &a) != DNP3_OK) return DNP3_OK;
    }
    os->req_time = now;
    os->req_counter++;

    if (bcast != DNP3_BCAST_NONE) {
        if (bcast == DNP3_BCAST_CONFIRM)
            os->bcast = BC_CONFIRM;
        else if (os->bcast == BC_NONE)
            os->bcast = BC_ONCE;
        if (broadcast_allowed(a.function)) dnp3_os_execute(os, &a, bcast, DNP3_CS_SUCCESS, now);
        return DNP3_OK;
    }

    const bool same = os->req_valid && len == os->req_len && memcmp(apdu, os->req, len) == 0;
    if (same && a.function != DNP3_FC_READ) {
        if (os->sol_repeatable) os->sol_ready = true; /* the same answer, not executed again */
        if (a.function == DNP3_FC_SELECT) os->sel_counter = os->req_counter;
        return DNP3_OK;
    }

    uint8_t pre = DNP3_CS_SUCCESS;
    if (a.function == DNP3_FC_OPERATE) pre = match_select(os, &a, now);

    dnp3_os_sol_abandon(os);
    if (a.function == DNP3_FC_READ) os->deferred_read = false; /* a newer READ replaces a deferred one */
    memcpy(os->req, apdu, len);
    os->req_len = len;
    os->req_valid = true;
    os->sol_repeatable = false;
    dnp3_apdu_parse(os->req, len, &a);

    if (a.function == DNP3_FC_READ && dnp3_os_unsol_awaiting(os)) {
        memcpy(os->dfr, apdu, len);
        os->dfr_len = len;
        os->deferred_read = true;
        return DNP3_OK;
    }
    dnp3_os_execute(os, &a, DNP3_BCAST_NONE, pre, now);
    return DNP3_OK;
}
