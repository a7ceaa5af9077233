/*
 * fuzz_apdu.c - libFuzzer target for the application-layer parser (IEEE 1815-2012
 * clause 4.2/4.3): header split, pass-1 validation, pass-2 object iteration and
 * point decode. Invariants: validation and iteration agree, every object lies
 * inside the input, and decoding a validated object never fails.
 */
#include <stdlib.h>

#include "dnp3/app.h"

static void check(bool ok)
{
    if (!ok) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dnp3_apdu a;
    if (dnp3_apdu_parse(data, size, &a) != DNP3_OK) return 0;
    (void)dnp3_apdu_check_control(&a);
    dnp3_parse_error e;
    int n = dnp3_apdu_validate(&a, &e);
    if (n < 0) check(e.offset <= a.objects_len && e.err == n);

    dnp3_hdr_iter it;
    dnp3_obj_header h;
    int headers = 0, rc;
    dnp3_hdr_iter_init(&it, &a);
    while ((rc = dnp3_hdr_iter_next(&it, &h, NULL)) > 0) {
        headers++;
        check(h.desc != NULL);
        check(!h.data || (h.data >= a.objects && h.data + h.data_len <= a.objects + a.objects_len));
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &h);
        uint64_t objects = 0;
        while (dnp3_obj_iter_next(&oi, &o)) {
            objects++;
            check(objects <= h.count);
            if (o.data) check(o.data >= h.data && o.data + o.size <= h.data + h.data_len);
            if (h.has_data && (h.desc->kind == DNP3_KIND_FIXED || h.desc->kind == DNP3_KIND_PACKED_BIT ||
                               h.desc->kind == DNP3_KIND_PACKED_DBIT)) {
                dnp3_point p;
                int d = dnp3_point_decode(h.desc, o.data, o.size, o.bits, &p);
                check(d == DNP3_OK || h.desc->layout == DNP3_LAYOUT_OPAQUE);
            }
        }
    }
    check(rc == (n < 0 ? n : 0));
    if (n >= 0) check(headers == n);
    return 0;
}
