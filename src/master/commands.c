/*
 * commands.c - control objects sent by the master and the check of the
 * outstation's echo (IEEE 1815-2012 clause 4.4 control functions: SELECT,
 * OPERATE, DIRECT_OPERATE, DIRECT_OPERATE_NR; Annex A g12v1 CROB and g41v1-v4
 * analog output blocks; status codes per docs/protocol-notes.md §4.4).
 *
 * Encoding: consecutive objects of the same group/variation share one header
 * with qualifier 0x17 or 0x28 (index prefix, count); the status octet is 0.
 * Echo check: the response must hold the same headers (group, variation,
 * qualifier, count) and the same objects (index and every octet but the
 * status octet) in the same order; each object's status is collected in
 * request order. Anything else is DNP3_TASK_ECHO_MISMATCH; an empty response is
 * DNP3_TASK_MISSING_OBJECT (REJECTED when IIN2 reports a request error).
 */
#include <string.h>

#include "master/master_internal.h"

static bool valid_command(const dnp3_command *c)
{
    if (c->group == 12) return c->variation == 1;
    if (c->group == 41) return c->variation >= 1 && c->variation <= 4;
    return false;
}

static int add_one(dnp3_apdu_writer *w, dnp3_hdr_mark *mk, const dnp3_command *c)
{
    if (c->group == 12) {
        dnp3_crob crob = c->crob;
        crob.status = 0;
        return dnp3_apdu_add_crob(w, mk, c->index, &crob);
    }
    dnp3_point p = {0};
    p.value = c->value;
    p.status = 0;
    return dnp3_apdu_add_point(w, mk, c->index, &p);
}

int dnp3_mst_command_encode(const dnp3_command *cmds, size_t n, uint8_t qualifier, uint8_t *buf, size_t cap,
                            size_t *len)
{
    if (qualifier == 0) qualifier = DNP3_QUAL_COUNT_16_INDEX_16;
    if (qualifier != DNP3_QUAL_COUNT_8_INDEX_8 && qualifier != DNP3_QUAL_COUNT_16_INDEX_16)
        return DNP3_ERR_INVALID_ARG;
    dnp3_apdu_writer w;
    dnp3_hdr_mark mk = {0};
    bool open = false;
    if (dnp3_apdu_writer_init_request(&w, buf, cap, 0, 0) != DNP3_OK) return DNP3_ERR_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < n; i++) {
        const dnp3_command *c = &cmds[i];
        if (!valid_command(c)) return DNP3_ERR_INVALID_ARG;
        if (qualifier == DNP3_QUAL_COUNT_8_INDEX_8 && c->index > 0xFF) return DNP3_ERR_INVALID_ARG;
        if (c->index > 0xFFFF) return DNP3_ERR_INVALID_ARG;
        bool same = open && mk.desc->group == c->group && mk.desc->variation == c->variation;
        for (int attempt = 0; attempt < 2; attempt++) {
            if (!same) {
                if (open) (void)dnp3_apdu_end(&w, &mk);
                int rc = dnp3_apdu_begin_indexed(&w, &mk, c->group, c->variation, qualifier);
                if (rc == DNP3_ERR_FRAGMENT_FULL) return DNP3_ERR_BUFFER_TOO_SMALL;
                if (rc) return DNP3_ERR_INVALID_ARG;
                open = true;
            }
            int rc = add_one(&w, &mk, c);
            if (rc == DNP3_OK) break;
            if (rc == DNP3_ERR_STATE && attempt == 0) { /* header full: open another */
                same = false;
                continue;
            }
            return rc == DNP3_ERR_FRAGMENT_FULL ? DNP3_ERR_BUFFER_TOO_SMALL : DNP3_ERR_INVALID_ARG;
        }
    }
    if (open) (void)dnp3_apdu_end(&w, &mk);
    *len = dnp3_apdu_writer_len(&w);
    return DNP3_OK;
}

/* Position of the status octet in an object of this header. */
static size_t status_pos(const dnp3_obj_header *h, size_t size)
{
    return h->group == 12 ? 10 : size - 1;
}

static dnp3_task_result compare(dnp3_master_assoc *a, const dnp3_apdu *req, const dnp3_apdu *resp)
{
    dnp3_hdr_iter ir, is;
    dnp3_obj_header hr, hs;
    size_t n = 0, headers = 0;
    const size_t max = a->m->cfg.max_command_objects;
    dnp3_hdr_iter_init(&ir, req);
    dnp3_hdr_iter_init(&is, resp);
    for (;;) {
        int rr = dnp3_hdr_iter_next(&ir, &hr, NULL);
        int rs = dnp3_hdr_iter_next(&is, &hs, NULL);
        if (rr == 0 && rs == 0) break;
        if (rs <= 0 && headers == 0) return DNP3_TASK_MISSING_OBJECT;
        if (rr <= 0 || rs <= 0) return DNP3_TASK_ECHO_MISMATCH;
        headers++;
        if (hr.group != hs.group || hr.variation != hs.variation || hr.qualifier != hs.qualifier ||
            hr.count != hs.count || hr.desc->kind != DNP3_KIND_FIXED)
            return DNP3_TASK_ECHO_MISMATCH;
        dnp3_obj_iter oir, ois;
        dnp3_obj or_, os;
        dnp3_obj_iter_init(&oir, &hr);
        dnp3_obj_iter_init(&ois, &hs);
        while (dnp3_obj_iter_next(&oir, &or_)) {
            if (!dnp3_obj_iter_next(&ois, &os)) return DNP3_TASK_ECHO_MISMATCH;
            if (or_.index != os.index || or_.size != os.size || !or_.data || !os.data || or_.size < 2)
                return DNP3_TASK_ECHO_MISMATCH;
            size_t sp = status_pos(&hr, or_.size);
            if (memcmp(or_.data, os.data, sp) != 0 ||
                memcmp(or_.data + sp + 1, os.data + sp + 1, or_.size - sp - 1) != 0)
                return DNP3_TASK_ECHO_MISMATCH;
            uint8_t st = hr.group == 12 ? (uint8_t)(os.data[sp] & 0x7F) : os.data[sp];
            if (n < max) a->statuses[n] = st;
            n++;
        }
    }
    a->t.n_statuses = n < max ? n : max;
    for (size_t i = 0; i < a->t.n_statuses; i++)
        if (a->statuses[i] != DNP3_CS_SUCCESS) return DNP3_TASK_COMMAND_STATUS;
    return DNP3_TASK_SUCCESS;
}

dnp3_task_result dnp3_mst_command_check(dnp3_master_assoc *a, const dnp3_apdu *resp)
{
    const mst_user_task *u = dnp3_mst_queue_head(a);
    a->t.n_statuses = 0;
    if (!u) return DNP3_TASK_CANCELLED;
    dnp3_apdu req = {0};
    req.control = 0;
    req.function = a->t.function;
    req.objects = u->buf;
    req.objects_len = u->len;
    dnp3_task_result r = compare(a, &req, resp);
    if (r == DNP3_TASK_ECHO_MISMATCH || r == DNP3_TASK_MISSING_OBJECT) a->t.n_statuses = 0;
    return r;
}
