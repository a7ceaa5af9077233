/*
 * controls.c - control functions of the outstation (IEEE 1815-2012 clause
 * 4.2.2.5 function codes 3 SELECT, 4 OPERATE, 5 DIRECT_OPERATE, 6
 * DIRECT_OPERATE_NR; objects g12v1 CROB and g41v1-v4 analog output blocks,
 * Annex A; command status codes).
 *
 * The response echoes the request's objects byte for byte with each status
 * octet filled in. Rules:
 *  - objects other than g12v1 / g41v1-v4 => IIN2.1, nothing executed;
 *  - more controls than config.max_controls => TOO_MANY_OPS for the excess;
 *  - CROB with the QU (queue) bit => NOT_SUPPORTED; an unknown operation type
 *    or the reserved trip/close code => FORMAT_ERROR;
 *  - a read-only session (config.read_only) answers NOT_AUTHORIZED, nothing executed;
 *  - any NOT_SUPPORTED status also sets IIN2.2 PARAMETER_ERROR;
 *  - SELECT records the selection only when every status is SUCCESS;
 *  - OPERATE arrives with `pre_status` from the dispatcher's match against the
 *    selection (SEQ + 1, no request between, identical objects, in time): a
 *    failed match answers every object with NO_SELECT or TIMEOUT unexecuted.
 */
#include <string.h>

#include "outstation/os_internal.h"

static bool is_control(const dnp3_obj_header *h)
{
    if (!h->has_data) return false;
    if (h->group == 12) return h->variation == 1;
    return h->group == 41 && h->variation >= 1 && h->variation <= 4;
}

static dnp3_control_mode mode_of(uint8_t fc)
{
    switch (fc) {
    case DNP3_FC_SELECT: return DNP3_CTRL_SELECT;
    case DNP3_FC_OPERATE: return DNP3_CTRL_OPERATE;
    case DNP3_FC_DIRECT_OPERATE: return DNP3_CTRL_DIRECT_OPERATE;
    default: return DNP3_CTRL_DIRECT_OPERATE_NR;
    }
}

/* The state a CROB commands (g13): 1 for CLOSE, LATCH_ON and PULSE_ON, else 0. */
static double commanded_state(uint8_t code)
{
    const uint8_t tcc = code & DNP3_CROB_TCC_MASK, op = code & DNP3_CROB_OP_MASK;
    if (tcc == 0x40) return 1;
    if (tcc == 0x80) return 0;
    return op == DNP3_OP_LATCH_ON || op == DNP3_OP_PULSE_ON ? 1 : 0;
}

/* A g13 / g43 event for a control the application was asked to carry out (not for SELECT). */
static void command_event(dnp3_outstation *os, dnp3_control_mode mode, int ring, uint16_t index, double value,
                          uint8_t status)
{
    if (mode == DNP3_CTRL_SELECT) return;
    os_ev_src p;
    memset(&p, 0, sizeof p);
    p.value = value;
    p.flags = status;
    p.time = dnp3_os_utc_now(os);
    p.cls = os->cfg.command_event_class;
    p.evar = ring == OS_CMD_BO ? os->cfg.bo_command_event_variation : os->cfg.ao_command_event_variation;
    dnp3_os_ev_record_shared(os, (dnp3_os_type)ring, index, &p, NULL, 0); /* every master hears of it */
}

static uint8_t run_one(dnp3_outstation *os, dnp3_control_mode mode, const dnp3_obj_header *h, const dnp3_obj *o)
{
    dnp3_point p;
    uint8_t status;
    if (o->index > 0xFFFF || dnp3_point_decode(h->desc, o->data, o->size, 0, &p) != DNP3_OK)
        return DNP3_CS_NOT_SUPPORTED;
    if (h->group == 12) {
        const dnp3_crob *c = &p.crob;
        if (c->code & DNP3_CROB_QUEUE) return DNP3_CS_NOT_SUPPORTED;
        if ((c->code & DNP3_CROB_OP_MASK) > DNP3_OP_LATCH_OFF || (c->code & DNP3_CROB_TCC_MASK) == 0xC0)
            return DNP3_CS_FORMAT_ERROR;
        if (!os->cb.crob) return DNP3_CS_NOT_SUPPORTED;
        status = (uint8_t)(os->cb.crob(os->cb.ctx, mode, (uint16_t)o->index, c) & 0x7F);
        command_event(os, mode, OS_CMD_BO, (uint16_t)o->index, commanded_state(c->code), status);
        return status;
    }
    if (!os->cb.analog_output) return DNP3_CS_NOT_SUPPORTED;
    status = (uint8_t)(os->cb.analog_output(os->cb.ctx, mode, (uint16_t)o->index, p.value, h->variation) & 0x7F);
    command_event(os, mode, OS_CMD_AO, (uint16_t)o->index, p.value, status);
    return status;
}

void dnp3_os_controls(dnp3_outstation *os, const dnp3_apdu *req, bool respond, uint8_t pre_status, dnp3_tstamp now)
{
    const uint8_t seq = dnp3_ac_seq(req->control);
    const dnp3_control_mode mode = mode_of(req->function);
    dnp3_hdr_iter hi;
    dnp3_obj_header h;

    if (mode == DNP3_CTRL_SELECT || mode == DNP3_CTRL_OPERATE) os->sel_active = false;

    /* pass 1: only control objects, and the echo must fit one fragment */
    dnp3_hdr_iter_init(&hi, req);
    while (dnp3_hdr_iter_next(&hi, &h, NULL) > 0) {
        if (!is_control(&h)) {
            if (respond) dnp3_os_respond(os, seq, DNP3_IIN2_OBJECT_UNKNOWN, NULL, 0, true);
            return;
        }
    }
    if (4 + req->objects_len > os->cfg.max_tx_fragment) {
        if (respond) dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }

    /* pass 2: execute into a copy of the objects, patching each status */
    uint8_t *echo = os->sol + 4;
    memcpy(echo, req->objects, req->objects_len);
    uint16_t iin = 0;
    uint32_t n = 0;
    bool all_ok = true;
    dnp3_hdr_iter_init(&hi, req);
    while (dnp3_hdr_iter_next(&hi, &h, NULL) > 0) {
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &h);
        while (dnp3_obj_iter_next(&oi, &o)) {
            uint8_t status;
            n++;
            if (pre_status != DNP3_CS_SUCCESS)
                status = pre_status;
            else if (os->cfg.read_only)
                status = DNP3_CS_NOT_AUTHORIZED; /* a read-only session (historian, viewer) */
            else if (os->cfg.max_controls && n > os->cfg.max_controls)
                status = DNP3_CS_TOO_MANY_OPS;
            else
                status = run_one(os, mode, &h, &o);
            if (status == DNP3_CS_NOT_SUPPORTED) iin |= DNP3_IIN2_PARAMETER_ERROR;
            if (status != DNP3_CS_SUCCESS) all_ok = false;
            size_t off = (size_t)(o.data - req->objects) + o.size - 1; /* status is the last octet */
            echo[off] = status;
        }
    }
    if (mode == DNP3_CTRL_SELECT && all_ok && n > 0) {
        os->sel_active = true;
        os->sel_seq = seq;
        os->sel_time = now;
        os->sel_counter = os->req_counter;
    }
    if (respond) dnp3_os_respond(os, seq, iin, echo, req->objects_len, true);
}
