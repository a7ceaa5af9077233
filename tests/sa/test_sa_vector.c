/*
 * test_sa_vector.c - the worked SAv5 exchange of docs/protocol-notes.md §7.11 (IEEE 1815-2012
 * clause 7 session key initialisation and critical-request challenge/reply)
 * reproduced octet for octet: user 1, AES-128 update key 00..0F, CDSK 16x11,
 * MDSK 16x22, MAL 4, challenge data AA.., BB.., CC...
 * Both our master-side SA and our outstation (with SA) must produce docs/protocol-notes.md's
 * octets, and the DIRECT_OPERATE must reach the control callback only after
 * the reply.
 */
#include "sa_fixture.h"

static void vec_cfg(dnp3_sa_outstation_config *c)
{
    c->n_users = 1;
    c->key_change_interval_ms = 0;
}

static void test_worked_exchange(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, vec_cfg);
    /* outstation random: AA (first status), BB (status after change), CC (challenge) */
    sf_rng mrng = {0};
    dnp3_crypto mc = sf_crypto(&mrng);
    sf_script(&mrng, "\x11\x22");
    uint8_t key[16];
    sf_key(key, 16, 0);
    dnp3_sa_master *m = sf_msa_setup(&mc, 1, key, 16, NULL);
    sf_script(&f.rng, "\xAA\xBB\xCC");

    uint8_t req[256];
    int n = dnp3_sa_master_build_key_request(m, 0xC0, 0, req, sizeof req);
    assert_hex(req, (size_t)n, "C0 20 78 04 07 01 01 00");
    sf_os_send(&f, req, (size_t)n);
    assert_hex(f.out, f.out_len, "C0 83 80 00 78 05 5B 01 0F 00 01 00 00 00 01 00 01 02 00 04 00 AA AA AA AA");

    uint8_t out[256];
    size_t out_len = 0;
    dnp3_sa_master_action act;
    uint8_t err;
    dnp3_sa_master_on_auth_response(m, f.out, f.out_len, 0, out, sizeof out, &out_len, &act, &err);
    assert_int_equal(act, DNP3_SA_M_NEXT_KEY);
    n = dnp3_sa_master_build_key_request(m, 0xC1, 0, req, sizeof req);
    assert_hex(
        req, (size_t)n,
        "C1 20 78 06 5B 01 46 00 01 00 00 00 01 00 7B B0 BB 59 08 14 F8 FC 03 27 96 B8 CC 69 86 D7 CB 45 0A 18"
        " 9B 77 08 BF 88 9A 83 05 A5 C3 9B 53 FB E2 5E AB B5 4D 22 1B 29 9D 55 E4 13 46 B2 4B 9E 7A C0 7F 1F"
        " A5 E8 F3 CF 35 09 44 25 71 C2 A8");
    sf_os_send(&f, req, (size_t)n);
    assert_hex(
        f.out, f.out_len,
        "C1 83 80 00 78 05 5B 01 1F 00 02 00 00 00 01 00 01 01 04 04 00 BB BB BB BB EF A0 3E C9 C5 5B 62 40 DE"
        " 93 72 44 EF 61 D3 1C");
    dnp3_sa_master_on_auth_response(m, f.out, f.out_len, 0, out, sizeof out, &out_len, &act, &err);
    assert_int_equal(act, DNP3_SA_M_KEYS_OK);
    assert_int_equal(dnp3_sa_outstation_key_status(f.sa, 1), DNP3_SA_KS_OK);

    n = (int)tu_hex("C2 05 0C 01 28 01 00 03 00 03 01 00 00 00 00 00 00 00 00 00", req, sizeof req);
    dnp3_sa_master_note_request(m, req, (size_t)n);
    sf_os_send(&f, req, (size_t)n);
    assert_hex(f.out, f.out_len, "C2 83 80 00 78 01 5B 01 0C 00 01 00 00 00 00 00 04 01 CC CC CC CC");
    assert_int_equal(f.crob_calls, 0);
    dnp3_sa_master_on_auth_response(m, f.out, f.out_len, 0, out, sizeof out, &out_len, &act, &err);
    assert_int_equal(act, DNP3_SA_M_SEND);
    assert_hex(out, out_len,
               "C2 20 78 02 5B 01 16 00 01 00 00 00 01 00 DC 3A 03 91 C9 6D 1B E3 BB BE 5F 1A 75 EE 0C E4");
    sf_os_send(&f, out, out_len);
    assert_int_equal(f.crob_calls, 1);
    /* the normal response to the DIRECT_OPERATE, SEQ 2, echo of the CROB */
    assert_hex(f.out, f.out_len, "C2 81 80 00 0C 01 28 01 00 03 00 03 01 00 00 00 00 00 00 00 00 00");
    dnp3_sa_outstation_free(f.sa);
    dnp3_sa_master_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_exchange),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
