/*
 * test_sa_crypto.c - known-answer tests of the crypto used by Secure
 * Authentication (IEEE 1815-2012 clause 7: MAC algorithms and key wrap):
 * RFC 3394 AES key wrap (128/256, docs/protocol-notes.md §7.11 and the OD-SA unwrap vector),
 * HMAC-SHA-1/SHA-256 (docs/protocol-notes.md §7.11, RFC 4231 case 2), truncation per MAL,
 * constant-time compare and zeroize; and the g120 codec (docs/protocol-notes.md §7.2 octet
 * examples, round trips of every variation, lying lengths and truncations).
 */
#include "sa_fixture.h"
#include "sa/sa_internal.h"

static const dnp3_crypto *C(void)
{
    return dnp3_crypto_openssl();
}

static void test_keywrap_rfc3394(void **state)
{
    (void)state;
    uint8_t kek[32], data[16], out[64], back[64];
    sf_key(kek, 32, 0);
    tu_hex("00112233445566778899AABBCCDDEEFF", data, sizeof data);
    assert_int_equal(C()->key_wrap(NULL, kek, 16, data, 16, out), DNP3_OK);
    assert_hex(out, 24, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
    assert_int_equal(C()->key_unwrap(NULL, kek, 16, out, 24, back), DNP3_OK);
    assert_memory_equal(back, data, 16);
    assert_int_equal(C()->key_wrap(NULL, kek, 32, data, 16, out), DNP3_OK);
    assert_hex(out, 24, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7");
    /* a flipped bit fails the integrity check */
    out[5] ^= 1;
    assert_int_equal(C()->key_unwrap(NULL, kek, 32, out, 24, back), DNP3_ERR_CRYPTO);
    /* sizes outside the contract */
    assert_int_equal(C()->key_wrap(NULL, kek, 24, data, 16, out), DNP3_ERR_INVALID_ARG);
    assert_int_equal(C()->key_wrap(NULL, kek, 16, data, 12, out), DNP3_ERR_INVALID_ARG);
}

static void test_keywrap_odsa_vector(void **state)
{
    (void)state;
    uint8_t kek[32], in[48], out[48], want[40];
    memset(kek, 0xFF, sizeof kek);
    size_t n =
        tu_hex("DC9CB03A6317A5086C66B4852480B7C99D87BB5D7EFE102A28065AACCA413DEB895EAF3B5F86F9123FB1C8CECB921636",
               in, sizeof in);
    assert_int_equal(n, 48);
    assert_int_equal(C()->key_unwrap(NULL, kek, 32, in, n, out), DNP3_OK);
    tu_hex("6A696D", want, sizeof want);
    memset(want + 3, 0xAA, 32);
    tu_hex("DEADBEEFFF", want + 35, 5);
    assert_memory_equal(out, want, 40);
}

/* The update-key change wraps name || key || outstation challenge: the layout gives OD-SA's vector. */
static void test_update_key_plaintext_layout(void **state)
{
    (void)state;
    uint8_t key[32], chal[5], plain[SA_UK_PLAIN_MAX], kek[32], out[48], want[48];
    memset(key, 0xAA, sizeof key);
    memset(kek, 0xFF, sizeof kek);
    tu_hex("DEADBEEFFF", chal, sizeof chal);
    size_t n = dnp3_sa_uk_plain("jim", key, 32, chal, 5, plain);
    assert_int_equal(n, 40);
    assert_int_equal(C()->key_wrap(NULL, kek, 32, plain, n, out), DNP3_OK);
    tu_hex("DC9CB03A6317A5086C66B4852480B7C99D87BB5D7EFE102A28065AACCA413DEB895EAF3B5F86F9123FB1C8CECB921636",
           want, sizeof want);
    assert_memory_equal(out, want, 48);
    /* shorter contents are zero-padded to a multiple of 8 */
    n = dnp3_sa_uk_plain("jim", key, 16, chal, 4, plain);
    assert_int_equal(n, 24);
    assert_int_equal(plain[23], 0);
    assert_int_equal(dnp3_sa_uk_key_len(DNP3_SA_KCM_AES128_SHA1), 16);
    assert_int_equal(dnp3_sa_uk_key_len(DNP3_SA_KCM_AES256_SHA256), 32);
    assert_int_equal(dnp3_sa_uk_key_len(5), 0);
}

static void test_hmac(void **state)
{
    (void)state;
    const char *msg = "The quick brown fox jumps over the lazy dog";
    dnp3_iov parts[2] = {{(const uint8_t *)msg, 20}, {(const uint8_t *)msg + 20, strlen(msg) - 20}};
    uint8_t out[32];
    assert_int_equal(C()->hmac(NULL, DNP3_HASH_SHA1, (const uint8_t *)"key", 3, parts, 2, out), DNP3_OK);
    assert_hex(out, 20, "DE7C9B85B8B78AA6BC8A7A36F70A90701C9DB4D9");
    assert_int_equal(C()->hmac(NULL, DNP3_HASH_SHA256, (const uint8_t *)"key", 3, parts, 2, out), DNP3_OK);
    assert_hex(out, 32, "F7BC83F430538424B13298E6AA6FB143EF4D59A14946175997479DBC2D1A3CD8");
    /* RFC 4231 test case 2 */
    const char *m2 = "what do ya want for nothing?";
    dnp3_iov p2 = {(const uint8_t *)m2, strlen(m2)};
    assert_int_equal(C()->hmac(NULL, DNP3_HASH_SHA256, (const uint8_t *)"Jefe", 4, &p2, 1, out), DNP3_OK);
    assert_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* Truncation keeps the leftmost octets: checked through the worked exchange's MALs. */
static void test_mal_lengths(void **state)
{
    (void)state;
    assert_int_equal(dnp3_sa_mac_len(1), 4);
    assert_int_equal(dnp3_sa_mac_len(2), 10);
    assert_int_equal(dnp3_sa_mac_len(3), 8);
    assert_int_equal(dnp3_sa_mac_len(4), 16);
    assert_int_equal(dnp3_sa_mac_len(5), 8);
    assert_int_equal(dnp3_sa_mac_len(6), 0); /* AES-GMAC: not supported */
    assert_int_equal(dnp3_sa_mac_len(0), 0);
}

static void test_ct_equal_zeroize(void **state)
{
    (void)state;
    uint8_t a[16], b[16];
    sf_key(a, 16, 1);
    memcpy(b, a, 16);
    assert_true(dnp3_ct_equal(a, b, 16));
    b[15] ^= 0x80;
    assert_false(dnp3_ct_equal(a, b, 16));
    assert_true(dnp3_ct_equal(a, b, 0));
    dnp3_zeroize(a, sizeof a);
    for (size_t i = 0; i < 16; i++) assert_int_equal(a[i], 0);
}

static void test_random(void **state)
{
    (void)state;
    uint8_t a[16] = {0}, b[16] = {0};
    assert_int_equal(C()->random(NULL, a, 16), DNP3_OK);
    assert_int_equal(C()->random(NULL, b, 16), DNP3_OK);
    assert_memory_not_equal(a, b, 16);
}

/* ---- g120 codec ---- */

static void test_g120_notes_examples(void **state)
{
    (void)state;
    uint8_t b[64];
    dnp3_g120 o;
    size_t n = tu_hex("01 00 00 00 07 00 05 01 DE AD BE EF", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(1, b, n, &o), DNP3_OK);
    assert_int_equal(o.seq, 1);
    assert_int_equal(o.user, 7);
    assert_int_equal(o.mal, 5);
    assert_int_equal(o.reason, 1);
    assert_hex(o.data, o.data_len, "DE AD BE EF");
    n = tu_hex("04 00 00 00 09 01 AB BA AB BA", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(2, b, n, &o), DNP3_OK);
    assert_int_equal(o.seq, 4);
    assert_int_equal(o.user, 0x0109);
    /* docs/protocol-notes.md's g120v5 example has a 1-octet MAC and 3-octet challenge: below our minimum of 4 */
    n = tu_hex("01 00 00 00 07 00 02 01 04 03 00 DE AD BE EF", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(5, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    n = tu_hex("01 00 00 00 07 00 02 01 04 04 00 DE AD BE EF 01 02", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(5, b, n, &o), DNP3_OK);
    assert_int_equal(o.kwa, 2);
    assert_int_equal(o.ks, 1);
    assert_int_equal(o.mal, 4);
    assert_hex(o.data, o.data_len, "DE AD BE EF");
    assert_hex(o.data2, o.data2_len, "01 02");
    /* update key change request (KCM 4, "jim", challenge AAAAAAAA) */
    n = tu_hex("04 03 00 04 00 6A 69 6D AA AA AA AA", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(11, b, n, &o), DNP3_OK);
    assert_int_equal(o.kcm, 4);
    assert_hex(o.data, o.data_len, "6A 69 6D");
    assert_hex(o.data2, o.data2_len, "AA AA AA AA");
    n = tu_hex("01 00 00 00 07 00 04 00 DE AD BE EF", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(12, b, n, &o), DNP3_OK);
    assert_int_equal(o.seq, 1);
    assert_int_equal(o.user, 7);
    /* whole APDUs */
    n = tu_hex("C0 20 78 04 07 01 07 01", b, sizeof b);
    assert_int_equal(dnp3_g120_first(b, n, &o, NULL), 1);
    assert_int_equal(o.variation, 4);
    assert_int_equal(o.user, 0x0107);
    size_t end = 0;
    n = tu_hex("C4 05 78 03 07 01 04 00 00 00 09 00 0C 01 17 01 00 03 01 00 00 00 00 00 00 00 00 00"
               " 78 09 5B 01 04 00 AB BA AB BA",
               b, sizeof b);
    assert_int_equal(dnp3_g120_first(b, n, &o, &end), 1);
    assert_int_equal(o.variation, 3);
    assert_int_equal(o.seq, 4);
    assert_int_equal(o.user, 9);
    assert_int_equal(end, 12);
}

static void test_g120_roundtrip_all(void **state)
{
    (void)state;
    uint8_t d1[8] = {1, 2, 3, 4, 5, 6, 7, 8}, d2[5] = {9, 9, 9, 9, 9}, d3[4] = {7, 7, 7, 7};
    uint8_t buf[128];
    for (uint8_t v = 1; v <= 15; v++) {
        dnp3_g120 in = {0}, out;
        in.variation = v;
        in.seq = 0x01020304;
        in.user = 0x0506;
        in.mal = 4;
        in.reason = 1;
        in.kwa = 1;
        in.ks = 2;
        in.kcm = 4;
        in.op = 1;
        in.cert_type = 1;
        in.error = 11;
        in.assoc = 3;
        in.role = 1;
        in.role_expiry = 30;
        in.time = 0x123456789AULL;
        in.data = d1;
        in.data_len = sizeof d1;
        if (v == 6) in.data_len = 8; /* below 24: rejected by the decoder */
        if (v == 5 || v == 10 || v == 11) {
            in.data2 = d2;
            in.data2_len = sizeof d2;
        }
        if (v == 10) {
            in.data3 = d3;
            in.data3_len = sizeof d3;
        }
        int n = dnp3_g120_encode(&in, buf, sizeof buf);
        assert_true(n > 0);
        int rc = dnp3_g120_decode(v, buf, (size_t)n, &out);
        if (v == 6) {
            assert_int_equal(rc, DNP3_ERR_APP_BAD_VALUE);
            continue;
        }
        assert_int_equal(rc, DNP3_OK);
        if (v != 3 && v != 4) assert_memory_equal(out.data, d1, sizeof d1);
        if (v == 3 || v == 4) assert_int_equal(out.user, 0x0506);
        if (v == 10) assert_memory_equal(out.data3, d3, sizeof d3);
        /* every truncation is rejected, never read past the end */
        for (int cut = 0; cut < n; cut++) {
            int r2 = dnp3_g120_decode(v, buf, (size_t)cut, &out);
            if (v == 7 || v == 8 || v == 9 || v == 14 || v == 15 || v == 1 || v == 2 || v == 5) {
                /* remainder fields: a shorter object may still be well-formed */
                continue;
            }
            assert_int_not_equal(r2, DNP3_OK);
        }
    }
    assert_int_equal(dnp3_g120_encode(&(dnp3_g120){.variation = 16}, buf, sizeof buf), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_g120_encode(&(dnp3_g120){.variation = 4}, buf, 1), DNP3_ERR_BUFFER_TOO_SMALL);
}

static void test_g120_lying_lengths(void **state)
{
    (void)state;
    uint8_t b[64];
    dnp3_g120 o;
    /* v5 CDL says 0x40 but only 4 octets follow */
    size_t n = tu_hex("01 00 00 00 07 00 02 01 04 40 00 DE AD BE EF", b, sizeof b);
    assert_int_not_equal(dnp3_g120_decode(5, b, n, &o), DNP3_OK);
    /* v11 lengths larger / smaller than the object */
    n = tu_hex("04 03 00 05 00 6A 69 6D AA AA AA AA", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(11, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    n = tu_hex("04 03 00 03 00 6A 69 6D AA AA AA AA", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(11, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    /* v10 three lengths that do not add up */
    n = tu_hex("04 01 01 00 00 00 01 00 1E 00 03 00 00 00 FF FF 6A 69 6D", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(10, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    /* v12/v13 length mismatch */
    n = tu_hex("01 00 00 00 07 00 05 00 DE AD BE EF", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(12, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    assert_int_equal(dnp3_g120_decode(13, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    /* fixed sizes with trailing octets, short MAC / challenge */
    n = tu_hex("01 00 00", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(4, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    n = tu_hex("01 00 00 00 07 00 AB", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(2, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    n = tu_hex("01 00 00 00 00 00 04 01 CC CC CC", b, sizeof b);
    assert_int_equal(dnp3_g120_decode(1, b, n, &o), DNP3_ERR_APP_BAD_VALUE);
    assert_int_equal(dnp3_g120_decode(99, b, n, &o), DNP3_ERR_APP_UNKNOWN_OBJECT);
    /* APDU level: a free-format size larger than the fragment */
    n = tu_hex("C0 20 78 02 5B 01 40 00 01 00 00 00 01 00 AA", b, sizeof b);
    assert_true(dnp3_g120_first(b, n, &o, NULL) < 0);
    n = tu_hex("C0 20 78 04 07 02 01 00 01 00", b, sizeof b); /* two objects */
    assert_true(dnp3_g120_first(b, n, &o, NULL) < 0);
    n = tu_hex("C0 01 3C 01 06", b, sizeof b);
    assert_int_equal(dnp3_g120_first(b, n, &o, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywrap_rfc3394),
        cmocka_unit_test(test_keywrap_odsa_vector),
        cmocka_unit_test(test_hmac),
        cmocka_unit_test(test_mal_lengths),
        cmocka_unit_test(test_ct_equal_zeroize),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_g120_notes_examples),
        cmocka_unit_test(test_g120_roundtrip_all),
        cmocka_unit_test(test_g120_lying_lengths),
        cmocka_unit_test(test_update_key_plaintext_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
