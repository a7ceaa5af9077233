/*
 * test_sa_outstation.c - the outstation side of Secure Authentication
 * (IEEE 1815-2012 clause 7) at the fragment level on a virtual clock: a
 * critical request never reaches the control callback before its reply
 * verified (unauthenticated, tampered request, wrong MAC, wrong user, replay,
 * late reply, expired keys), key change failures, aggressive mode and its
 * replay, max error count, broadcasts, non-critical requests and g121.
 */
#include "sa_fixture.h"

static void test_unauthenticated_operate_never_executes(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    /* no session keys at all: the DO is challenged, not executed */
    sf_os_send_hex(&f, SF_DO_REQ);
    assert_int_equal(f.out[1], 0x83);
    assert_int_equal(f.crob_calls, 0);
    /* a forged reply (any MAC) with the right CSQ */
    sf_os_send_hex(&f,
                   "C3 20 78 02 5B 01 16 00 01 00 00 00 01 00 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF");
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(f.crob_calls, 0);
    /* SELECT / OPERATE, WRITE, restarts, unsolicited control are critical as well */
    const char *critical[] = {
        "C4 03 0C 01 28 01 00 03 00 03 01 00 00 00 00 00 00 00 00 00",
        "C5 04 0C 01 28 01 00 03 00 03 01 00 00 00 00 00 00 00 00 00",
        "C6 06 0C 01 28 01 00 03 00 03 01 00 00 00 00 00 00 00 00 00",
        "C7 02 50 01 00 07 07 00",
        "C8 0D",
        "C9 0E",
        "CA 14 3C 02 06",
        "CB 15 3C 02 06",
        "CC 18",
    };
    for (size_t i = 0; i < sizeof critical / sizeof *critical; i++) {
        sf_os_send_hex(&f, critical[i]);
        assert_true(f.out_len > 5);
        assert_int_equal(f.out[1], 0x83); /* challenged */
        assert_int_equal(f.out[5], 1);
    }
    assert_int_equal(f.crob_calls, 0);
    /* DIRECT_OPERATE_NR too: challenged although it normally has no response */
    assert_int_equal(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS], 0);
}

static void test_authenticated_operate(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    assert_int_equal(f.crob_calls, 0);
    sf_os_send(&f, out, rl);
    assert_int_equal(f.crob_calls, 1);
    assert_int_equal(f.out[1], 0x81);
    assert_int_equal(f.out[0] & 0x0F, 3);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_AUTHENTICATED), 1);
    uint8_t first[64];
    size_t first_len = f.out_len;
    assert_true(first_len <= sizeof first);
    memcpy(first, f.out, f.out_len);
    /* replay of the same reply: no challenge outstanding -> discarded, nothing executed */
    sf_os_send(&f, out, rl);
    assert_int_equal(f.crob_calls, 1);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_REPLAY), 1);
    /* the same request again (the master's retry after a lost response): the stored response
     * goes out again at once, nothing executes, no challenge */
    f.out_len = 0;
    sf_os_send(&f, req, n);
    assert_int_equal(f.out_len, first_len);
    assert_memory_equal(f.out, first, first_len);
    assert_int_equal(f.crob_calls, 1);
    /* a new request in between: the old one is challenged afresh, and the old reply does not match */
    sf_os_send_hex(&f, "C4 01 3C 01 06");
    req[0] = 0xC5; /* a new SEQ */
    sf_os_send(&f, req, n);
    assert_int_equal(f.out[1], 0x83);
    sf_os_send(&f, out, rl);
    assert_int_equal(f.crob_calls, 1);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_REPLAY), 2);
    /* a READ is not critical: answered at once */
    sf_os_send_hex(&f, "C4 01 3C 01 06");
    assert_int_equal(f.out[1], 0x81);
}

static void test_tampered_request_and_mac(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], bad[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    /* the master MACs the request it sent; the outstation received a modified one (index 3 -> 5) */
    memcpy(bad, req, n);
    bad[7] = 5;
    dnp3_sa_master_note_request(m, req, n);
    sf_os_send(&f, bad, n);
    size_t rl = 0;
    dnp3_sa_master_action act;
    uint8_t err;
    dnp3_sa_master_on_auth_response(m, f.out, f.out_len, f.now, out, sizeof out, &rl, &act, &err);
    assert_int_equal(act, DNP3_SA_M_SEND);
    sf_os_send(&f, out, rl);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(f.crob_calls, 0);
    /* a tampered MAC */
    rl = sf_challenge_reply(&f, m, req, n, out);
    out[rl - 1] ^= 0x01;
    sf_os_send(&f, out, rl);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(f.crob_calls, 0);
    /* a truncated MAC (length differs) */
    rl = sf_challenge_reply(&f, m, req, n, out);
    out[6] = (uint8_t)(out[6] - 1);
    sf_os_send(&f, out, rl - 1);
    assert_int_equal(f.crob_calls, 0);
    assert_true(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_AUTHENTICATION_FAILURES] >= 2);
    assert_true(sf_count_ev(&f, DNP3_SA_EV_AUTH_FAILED) >= 2);
}

static void test_wrong_user(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    /* key status request for an unknown user: error UNKNOWN_USER */
    sf_os_send_hex(&f, "C0 20 78 04 07 01 09 00");
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_UNKNOWN_USER);
    /* a reply naming an unknown user */
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    out[12] = 9; /* USR 9 */
    sf_os_send(&f, out, rl);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_UNKNOWN_USER);
    assert_int_equal(f.crob_calls, 0);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_UNKNOWN_USER), 2);
}

static void test_user_two_cannot_use_user_one_keys(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    out[12] = 2; /* user 2 exists but has no session keys */
    sf_os_send(&f, out, rl);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(f.crob_calls, 0);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_NO_SESSION_KEYS), 1);
}

static void test_challenge_timeout(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    assert_int_equal(dnp3_outstation_get_expiry(f.os), f.now + 2000);
    sf_os_advance(&f, 2000);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_REPLY_TIMEOUT), 1);
    assert_int_equal(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_REPLY_TIMEOUTS], 1);
    sf_os_send(&f, out, rl); /* too late */
    assert_int_equal(f.out_len, 0);
    assert_int_equal(f.crob_calls, 0);
}

static void short_keys(dnp3_sa_outstation_config *c)
{
    c->key_change_interval_ms = 60000;
    c->key_change_count = 3;
}

static void test_expired_session_keys(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, short_keys);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    /* interval: keys expire after 60 s */
    assert_int_equal(dnp3_outstation_get_expiry(f.os), 60000);
    sf_os_advance(&f, 60000);
    assert_int_equal(dnp3_sa_outstation_key_status(f.sa, 1), DNP3_SA_KS_COMM_FAIL);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_KEYS_EXPIRED), 1);
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    sf_os_send(&f, out, rl);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(f.crob_calls, 0);
    /* the key status now says COMM_FAIL; a rekey restores service */
    sf_os_send_hex(&f, "C0 20 78 04 07 01 01 00");
    assert_int_equal(f.out[17], DNP3_SA_KS_COMM_FAIL);
    m = sf_keyed_master(&f, &mc, 1);
    /* count: 3 authenticated messages, the 4th needs new keys */
    for (int i = 0; i < 3; i++) {
        req[0] = (uint8_t)(0xC0 | i);
        rl = sf_challenge_reply(&f, m, req, n, out);
        sf_os_send(&f, out, rl);
        assert_int_equal(f.out[1], 0x81);
    }
    assert_int_equal(f.crob_calls, 3);
    req[0] = 0xC5;
    rl = sf_challenge_reply(&f, m, req, n, out);
    sf_os_send(&f, out, rl);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(f.crob_calls, 3);
}

static void test_key_change_failures(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    uint8_t wrong[16], req[256], out[256];
    sf_key(wrong, 16, 0x50);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_msa_setup(&mc, 1, wrong, 16, NULL);
    size_t ol;
    dnp3_sa_master_action act;
    uint8_t err;
    int n = dnp3_sa_master_build_key_request(m, 0xC0, 0, req, sizeof req);
    sf_os_send(&f, req, (size_t)n);
    dnp3_sa_master_on_auth_response(m, f.out, f.out_len, 0, out, sizeof out, &ol, &act, &err);
    n = dnp3_sa_master_build_key_request(m, 0xC1, 0, req, sizeof req);
    sf_os_send(&f, req, (size_t)n);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(dnp3_sa_outstation_key_status(f.sa, 1), DNP3_SA_KS_AUTH_FAIL);
    dnp3_sa_master_on_auth_response(m, f.out, f.out_len, 0, out, sizeof out, &ol, &act, &err);
    assert_int_equal(act, DNP3_SA_M_FAILED);
    assert_int_equal(err, DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_KEY_CHANGE_FAILED), 1);
    /* a session key change without a preceding status (KSQ unknown) */
    sf_os_send(&f, req, (size_t)n);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    /* the right key with a stale KSQ: build against one status, then ask for another */
    sf_key(sf_ukey1, 16, 0);
    m = sf_msa_setup(&mc, 1, sf_ukey1, 16, NULL);
    n = dnp3_sa_master_build_key_request(m, 0xC2, 0, req, sizeof req);
    sf_os_send(&f, req, (size_t)n);
    dnp3_sa_master_on_auth_response(m, f.out, f.out_len, 0, out, sizeof out, &ol, &act, &err);
    sf_os_send_hex(&f, "C3 20 78 04 07 01 01 00"); /* someone else asks: KSQ moves on */
    n = dnp3_sa_master_build_key_request(m, 0xC4, 0, req, sizeof req);
    sf_os_send(&f, req, (size_t)n);
    assert_int_equal(f.out_len, 0); /* third failure in a row: above max_error_count (2), only counted */
    assert_int_equal(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_FAILED_SESSION_KEY_CHANGES], 3);
}

static void test_aggressive_mode(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], ag[128], ag2[128];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    int an = dnp3_sa_master_aggressive(m, req, n, ag, sizeof ag);
    assert_true(an > (int)n);
    sf_os_send(&f, ag, (size_t)an);
    assert_int_equal(f.crob_calls, 1);
    assert_int_equal(f.out[1], 0x81);
    /* the response echoes the plain request objects */
    assert_memory_equal(f.out + 4, req + 2, n - 2);
    /* replay: same CSQ -> rejected */
    sf_os_send(&f, ag, (size_t)an);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(f.crob_calls, 1);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_REPLAY), 1);
    /* next one (CSQ + 1) after a normal challenge in between */
    uint8_t out[256];
    req[0] = 0xC4;
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    sf_os_send(&f, out, rl);
    assert_int_equal(f.crob_calls, 2);
    req[0] = 0xC5;
    an = dnp3_sa_master_aggressive(m, req, n, ag2, sizeof ag2);
    /* tampered: flip an octet of the CROB */
    ag2[20] ^= 1;
    sf_os_send(&f, ag2, (size_t)an);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(f.crob_calls, 2);
    /* a g120v3 without a trailing g120v9 */
    sf_os_send(&f, ag, 2 + 10 + n - 2);
    assert_int_equal(f.crob_calls, 2);
}

static void no_aggressive(dnp3_sa_outstation_config *c)
{
    c->aggressive_mode = false;
}

static void test_aggressive_refused_and_max_errors(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, no_aggressive);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], ag[128];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    int an = dnp3_sa_master_aggressive(m, req, n, ag, sizeof ag);
    sf_os_send(&f, ag, (size_t)an);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AGGRESSIVE_NOT_SUPPORTED);
    assert_int_equal(f.crob_calls, 0);
    /* max error count 2: the next failures are counted but not answered */
    sf_os_send(&f, ag, (size_t)an);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AGGRESSIVE_NOT_SUPPORTED);
    sf_os_send(&f, ag, (size_t)an);
    assert_int_equal(f.out_len, 0);
    assert_int_equal(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_ERROR_MESSAGES_SENT], 2);
    /* a success resets the counter */
    uint8_t out[256];
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    sf_os_send(&f, out, rl);
    assert_int_equal(f.crob_calls, 1);
    sf_os_send(&f, ag, (size_t)an);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AGGRESSIVE_NOT_SUPPORTED);
}

static void test_broadcast_and_stats(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    uint8_t req[64];
    size_t n = tu_hex("C0 06 0C 01 28 01 00 03 00 03 01 00 00 00 00 00 00 00 00 00", req, sizeof req);
    assert_int_equal(dnp3_outstation_receive(f.os, req, n, DNP3_BCAST_NO_CONFIRM, 0), DNP3_OK);
    assert_int_equal(f.crob_calls, 0);
    /* g121 statistics by READ (all, and a range) */
    sf_os_send_hex(&f, "C1 01 79 00 06");
    assert_int_equal(f.out[1], 0x81);
    assert_int_equal(f.out_len, 4 + 5 + 18 * 7);
    assert_hex(f.out + 4, 5, "79 01 00 00 11");
    sf_os_send_hex(&f, "C2 01 79 01 00 05 06");
    /* index 5 total messages sent: 0, index 6 total messages received: 2 */
    assert_hex(f.out + 4, 19, "79 01 00 05 06 01 00 00 00 00 00 00 01 00 00 02 00 00 00");
    /* AUTH_REQUEST with UNS, or without objects, or unsupported variations */
    sf_os_send_hex(&f, "D0 20 78 04 07 01 01 00");
    assert_int_equal(f.out_len, 0);
    sf_os_send_hex(&f, "C3 20");
    assert_int_equal(f.out_len, 0);
    sf_os_send_hex(&f, "C4 20 78 0B 5B 01 0C 00 04 03 00 04 00 6A 69 6D AA AA AA AA");
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_UPDATE_KEY_METHOD_NOT_PERMITTED);
}

/* g122: a statistic that grew by its threshold becomes an event of class 3 (g122v2 by default). */
static void test_statistic_events(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    sf_os_send_hex(&f, "C0 01 3C 04 06"); /* nothing yet */
    assert_int_equal(f.out_len, 4);
    for (int i = 0; i < 3; i++) { /* three challenges left unanswered: REPLY_TIMEOUTS threshold 3 */
        sf_challenge_reply(&f, m, req, n, out);
        sf_os_advance(&f, 2000);
    }
    assert_int_equal(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_REPLY_TIMEOUTS], 3);
    assert_true(dnp3_outstation_iin(f.os) & DNP3_IIN1_CLASS3_EVENTS);
    sf_os_send_hex(&f, "C1 01 3C 04 06");
    /* one event: index 3, flags ONLINE, association 0, count 3, time 0 (no clock); confirm asked */
    assert_int_equal(f.out_len, 4 + 4 + 1 + 13); /* qualifier 17: index 3 fits 8 bits */
    assert_int_equal(f.out[0] & 0x20, 0x20);
    assert_hex(f.out + 4, 18, "7A 02 17 01 03 01 00 00 03 00 00 00 00 00 00 00 00 00");
    /* READ g122v1 before the confirm: the same event without time */
    sf_os_send_hex(&f, "C2 01 7A 01 06");
    assert_hex(f.out + 4, 12, "7A 01 17 01 03 01 00 00 03 00 00 00");
    sf_os_send_hex(&f, "C2 00"); /* confirm: the event is gone */
    sf_os_send_hex(&f, "C3 01 7A 00 06");
    assert_int_equal(f.out_len, 4);
    assert_false(dnp3_outstation_iin(f.os) & DNP3_IIN1_CLASS3_EVENTS);
    /* below the threshold again: no new event */
    sf_challenge_reply(&f, m, req, n, out);
    sf_os_advance(&f, 2000);
    sf_os_send_hex(&f, "C4 01 7A 00 06");
    assert_int_equal(f.out_len, 4);
    /* g122 is unknown without SA */
    dnp3_outstation_set_sa(f.os, NULL);
    sf_os_send_hex(&f, "C5 01 7A 00 06");
    assert_int_equal(f.out_len, 4);
    assert_int_equal(f.out[3] & (DNP3_IIN2_OBJECT_UNKNOWN >> 8), DNP3_IIN2_OBJECT_UNKNOWN >> 8);
}

/* g0v209 (SA version 5) and g0v210 (18 statistics per association) exist only with SA. */
static void test_device_attributes(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, NULL);
    sf_os_send_hex(&f, "C0 01 00 D1 00 00 00 00 D2 00 00 00");
    assert_int_equal(f.out_len, 4 + 16);
    assert_hex(f.out + 2, 18, "80 00 00 D1 00 00 00 02 01 05 00 D2 00 00 00 02 01 12"); /* IIN1: DEVICE_RESTART */
    sf_os_send_hex(&f, "C1 01 00 FF 00 00 00"); /* the list of supported attributes starts with them */
    assert_hex(f.out + 4, 6, "00 FF 00 00 00 FE");
    assert_hex(f.out + 11, 4, "D1 00 D2 00");
    dnp3_outstation_set_sa(f.os, NULL);
    sf_os_send_hex(&f, "C2 01 00 D1 00 00 00");
    assert_int_equal(f.out_len, 4);
    assert_int_equal(f.out[3] & (DNP3_IIN2_OBJECT_UNKNOWN >> 8), DNP3_IIN2_OBJECT_UNKNOWN >> 8);
}

static void test_config_validation(void **state)
{
    (void)state;
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_outstation_config c;
    dnp3_sa_outstation_config_init(&c);
    assert_int_equal(dnp3_sa_outstation_memory_size(&c), 0); /* no crypto, no users */
    c.crypto = &mc;
    c.n_users = 1;
    c.users[0].number = 1;
    c.users[0].key_len = 20;
    assert_int_equal(dnp3_sa_outstation_memory_size(&c), 0);
    c.users[0].key_len = 16;
    assert_true(dnp3_sa_outstation_memory_size(&c) > 0);
    c.n_users = 2;
    c.users[1] = c.users[0]; /* duplicate user */
    assert_int_equal(dnp3_sa_outstation_memory_size(&c), 0);
    c.n_users = 1;
    c.mal = 6;
    assert_int_equal(dnp3_sa_outstation_memory_size(&c), 0);
    c.mal = 4;
    c.challenge_len = 3;
    assert_int_equal(dnp3_sa_outstation_memory_size(&c), 0);
    dnp3_sa_fc_set s;
    dnp3_sa_critical_default(&s);
    assert_true(dnp3_sa_fc_in(&s, DNP3_FC_DIRECT_OPERATE));
    assert_true(dnp3_sa_fc_in(&s, DNP3_FC_WRITE));
    assert_true(dnp3_sa_fc_in(&s, DNP3_FC_COLD_RESTART));
    assert_false(dnp3_sa_fc_in(&s, DNP3_FC_READ));
    assert_false(dnp3_sa_fc_in(&s, DNP3_FC_CONFIRM));
    assert_false(dnp3_sa_fc_in(&s, DNP3_FC_AUTH_REQUEST));
}

/* ---- update-key change (docs/protocol-notes.md §7.7) ---- */

static void test_update_key_change(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, sf_uk_tweak);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    dnp3_sa_update_key_change c = sf_update_key_change(0x40, "jim");
    uint8_t change[512], k[DNP3_SA_MAX_KEY];
    size_t change_len = 0;
    assert_int_equal(sf_run_change(&f, m, &c, change, &change_len), DNP3_SA_M_KEYS_OK);
    assert_int_equal(f.out[5], 15); /* the outstation's confirmation */
    assert_int_equal(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_UPDATE_KEY_CHANGES], 1);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_UPDATE_KEY_CHANGED), 1);
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 1, k), 32);
    assert_memory_equal(k, c.new_key, 32);
    /* the session keys made with the old update key are gone on both sides */
    assert_int_equal(dnp3_sa_outstation_key_status(f.sa, 1), DNP3_SA_KS_NOT_INIT);
    assert_true(dnp3_sa_master_needs_keys(m, f.now));
    /* replaying the change: nothing pending, refused, the key stays */
    sf_os_send(&f, change, change_len);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 1, k), 32);
    assert_memory_equal(k, c.new_key, 32);
    /* the master makes session keys with the new update key and operates */
    sf_exchange_keys(&f, m);
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    sf_os_send(&f, out, rl);
    assert_int_equal(f.crob_calls, 1);
    /* a master with the old update key no longer gets session keys */
    dnp3_crypto mc2 = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *old = sf_msa_setup(&mc2, 1, sf_ukey1, 16, NULL);
    int kn = dnp3_sa_master_build_key_request(old, 0xC0, f.now, req, sizeof req);
    sf_os_send(&f, req, (size_t)kn);
    size_t out_len;
    dnp3_sa_master_action act;
    uint8_t err;
    dnp3_sa_master_on_auth_response(old, f.out, f.out_len, f.now, out, sizeof out, &out_len, &act, &err);
    if (act == DNP3_SA_M_NEXT_KEY) { /* it tries: the wrap with the old key does not open */
        kn = dnp3_sa_master_build_key_request(old, 0xC1, f.now, req, sizeof req);
        sf_os_send(&f, req, (size_t)kn);
        assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    } else { /* or it sees the key-wrap algorithm of a 32-octet key and stops */
        assert_int_equal(act, DNP3_SA_M_FAILED);
    }
}

static void test_update_key_change_failures(void **state)
{
    (void)state;
    uint8_t change[512], k[DNP3_SA_MAX_KEY];
    size_t change_len = 0;
    /* wrong authority key: the wrap does not open; the old key stays */
    sf_os f;
    sf_os_setup(&f, sf_uk_tweak);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    dnp3_sa_update_key_change c = sf_update_key_change(0x41, "jim");
    assert_int_equal(sf_run_change(&f, m, &c, change, &change_len), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_FAILED_UPDATE_KEY_CHANGES], 1);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_UPDATE_KEY_CHANGE_FAILED), 1);
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 1, k), 16);
    assert_memory_equal(k, sf_ukey1, 16);
    assert_false(dnp3_sa_master_update_key_pending(m));
    /* a tampered confirmation MAC (last octet) */
    c = sf_update_key_change(0x40, "jim");
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    uint8_t req[512], out[256];
    size_t out_len;
    dnp3_sa_master_action act;
    uint8_t err;
    int n = dnp3_sa_master_build_update_key_request(m, 0xC2, req, sizeof req);
    sf_os_send(&f, req, (size_t)n);
    dnp3_sa_master_on_auth_response(m, f.out, f.out_len, f.now, out, sizeof out, &out_len, &act, &err);
    assert_int_equal(act, DNP3_SA_M_NEXT_KEY);
    n = dnp3_sa_master_build_update_key_request(m, 0xC3, req, sizeof req);
    assert_true(n > 0);
    req[n - 1] ^= 1;
    sf_os_send(&f, req, (size_t)n);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 1, k), 16);
    /* an unknown user name */
    c = sf_update_key_change(0x40, "bob");
    assert_int_equal(sf_run_change(&f, m, &c, change, &change_len), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_UNKNOWN_USER);
    /* an outstation without an authority key does not permit the change */
    sf_os g;
    sf_os_setup(&g, NULL);
    dnp3_crypto mc2 = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m2 = sf_keyed_master(&g, &mc2, 1);
    c = sf_update_key_change(0x40, "jim");
    assert_int_equal(sf_run_change(&g, m2, &c, change, &change_len), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&g), DNP3_SA_ERR_UPDATE_KEY_METHOD_NOT_PERMITTED);
    /* bad parameters are refused before anything is sent */
    c.kcm = 5;
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unauthenticated_operate_never_executes),
        cmocka_unit_test(test_authenticated_operate),
        cmocka_unit_test(test_tampered_request_and_mac),
        cmocka_unit_test(test_wrong_user),
        cmocka_unit_test(test_user_two_cannot_use_user_one_keys),
        cmocka_unit_test(test_challenge_timeout),
        cmocka_unit_test(test_expired_session_keys),
        cmocka_unit_test(test_key_change_failures),
        cmocka_unit_test(test_aggressive_mode),
        cmocka_unit_test(test_aggressive_refused_and_max_errors),
        cmocka_unit_test(test_broadcast_and_stats),
        cmocka_unit_test(test_statistic_events),
        cmocka_unit_test(test_device_attributes),
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test(test_update_key_change),
        cmocka_unit_test(test_update_key_change_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
