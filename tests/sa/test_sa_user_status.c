/*
 * test_sa_user_status.c - the authority's user status change (g120v10, IEEE
 * 1815-2012 clause 7; docs/protocol-notes.md §7.7 step 1) between our master-side SA object and
 * our outstation, at the fragment level: ADD followed by the update-key change
 * creates a user that can then authenticate; CHANGE sets an existing user's
 * role before its key change; DELETE removes a user and its session keys;
 * refused: a replayed or old sequence number, tampered certification data, the
 * wrong authority key, an unknown user, an outstation without authority key, a
 * key change for a name no status change added.
 */
#include "sa_fixture.h"

/* Sends the master's next update-key request; returns what the master makes of the answer. */
static dnp3_sa_master_action step(sf_os *f, dnp3_sa_master *m, uint8_t ac, uint8_t *sent, size_t *sent_len)
{
    uint8_t req[512], out[256];
    size_t out_len;
    dnp3_sa_master_action act = DNP3_SA_M_IGNORE;
    uint8_t err;
    int n = dnp3_sa_master_build_update_key_request(m, ac, req, sizeof req);
    assert_true(n > 0);
    if (sent) {
        memcpy(sent, req, (size_t)n);
        *sent_len = (size_t)n;
    }
    sf_os_send(f, req, (size_t)n);
    assert_true(f->out_len >= 4);
    assert_int_equal(f->out[1], 0x83);
    dnp3_sa_master_on_auth_response(m, f->out, f->out_len, f->now, out, sizeof out, &out_len, &act, &err);
    return act;
}

static dnp3_sa_update_key_change status_change(uint8_t op, uint32_t scs, const char *user, uint8_t authority)
{
    dnp3_sa_update_key_change c = sf_update_key_change(authority, user);
    c.status_operation = op;
    c.status_change_seq = scs;
    c.role = DNP3_SA_ROLE_OPERATOR;
    c.role_expiry_days = 30;
    return c;
}

/* Runs the status change and, unless it is a deletion, the key change; returns the last action. */
static dnp3_sa_master_action run(sf_os *f, dnp3_sa_master *m, const dnp3_sa_update_key_change *c)
{
    assert_int_equal(dnp3_sa_master_begin_update_key(m, c), DNP3_OK);
    dnp3_sa_master_action act = step(f, m, 0xC2, NULL, NULL); /* g120v10 */
    if (act != DNP3_SA_M_NEXT_KEY) return act;
    act = step(f, m, 0xC3, NULL, NULL); /* g120v11 -> g120v12 */
    if (act != DNP3_SA_M_NEXT_KEY) return act;
    return step(f, m, 0xC4, NULL, NULL); /* g120v13 + v15 -> g120v15 */
}

static void test_add_user_then_authenticate(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, sf_uk_tweak);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    dnp3_sa_update_key_change c = status_change(DNP3_SA_USER_ADD, 1, "bob", 0x40);
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    uint8_t v10[512];
    size_t v10_len;
    assert_int_equal(step(&f, m, 0xC2, v10, &v10_len), DNP3_SA_M_NEXT_KEY);
    assert_int_equal(f.out_len, 4); /* accepted: an AUTH_RESPONSE without objects */
    /* g120v10: KCM 4, ADD, SCS 1, role 1, expiry 30, name 3, key 0, certification 32 */
    assert_hex(v10 + 2, 6, "78 0A 5B 01 33 00");
    assert_hex(v10 + 8, 17, "04 01 01 00 00 00 01 00 1E 00 03 00 00 00 20 00 62");
    assert_int_equal(v10_len, 8 + 16 + 3 + 32);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_USER_STATUS_CHANGED), 1);
    /* the key change assigns bob the first free number, 3 (users 1 and 2 exist) */
    assert_int_equal(step(&f, m, 0xC3, NULL, NULL), DNP3_SA_M_NEXT_KEY);
    assert_int_equal(f.out[5], 12);
    assert_int_equal(f.out[14], 3);
    assert_int_equal(step(&f, m, 0xC4, NULL, NULL), DNP3_SA_M_KEYS_OK);
    uint8_t k[DNP3_SA_MAX_KEY];
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 3, k), 32);
    assert_memory_equal(k, c.new_key, 32);
    assert_int_equal(f.ev[f.n_ev - 1].kind, DNP3_SA_EV_UPDATE_KEY_CHANGED);
    assert_int_equal(f.ev[f.n_ev - 1].user, 3);
    /* bob makes session keys with his key and operates */
    dnp3_crypto bc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *bob = sf_msa_setup(&bc, 3, c.new_key, 32, NULL);
    sf_exchange_keys(&f, bob);
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    size_t rl = sf_challenge_reply(&f, bob, req, n, out);
    sf_os_send(&f, out, rl);
    assert_int_equal(f.crob_calls, 1);
    /* the status change replayed: its sequence number is used up */
    sf_os_send(&f, v10, v10_len);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_INVALID_CERTIFICATION);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_USER_STATUS_CHANGE_FAILED), 1);
}

static void test_change_and_delete(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, sf_uk_tweak);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    /* CHANGE jim (user 1): his role, then his new key */
    dnp3_sa_update_key_change c = status_change(DNP3_SA_USER_CHANGE, 7, "jim", 0x40);
    assert_int_equal(run(&f, m, &c), DNP3_SA_M_KEYS_OK);
    uint8_t k[DNP3_SA_MAX_KEY];
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 1, k), 32);
    assert_memory_equal(k, c.new_key, 32);
    /* DELETE jim: gone, with his key; the deletion ends the task without a key change */
    sf_exchange_keys(&f, m);
    c = status_change(DNP3_SA_USER_DELETE, 8, "jim", 0x40);
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    assert_int_equal(step(&f, m, 0xC5, NULL, NULL), DNP3_SA_M_KEYS_OK);
    assert_int_equal(f.out_len, 4);
    assert_false(dnp3_sa_master_update_key_pending(m));
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 1, k), 0);
    assert_int_equal(f.ev[f.n_ev - 1].kind, DNP3_SA_EV_USER_STATUS_CHANGED);
    assert_int_equal(f.ev[f.n_ev - 1].user, 1);
    assert_int_equal(f.ev[f.n_ev - 1].error, DNP3_SA_USER_DELETE);
    /* his session keys went with him: his operate is not executed */
    uint8_t req[64], out[256];
    size_t n = tu_hex(SF_DO_REQ, req, sizeof req);
    size_t rl = sf_challenge_reply(&f, m, req, n, out);
    sf_os_send(&f, out, rl);
    assert_int_equal(f.crob_calls, 0);
    /* user 2 is still there */
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 2, k), 32);
}

static void many_errors(dnp3_sa_outstation_config *sc)
{
    sf_uk_tweak(sc);
    sc->max_error_count = 10; /* every refusal below gets its error object */
}

static void test_refused(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, many_errors);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    /* the wrong authority key: invalid certification, counted as an authentication failure */
    dnp3_sa_update_key_change c = status_change(DNP3_SA_USER_ADD, 1, "bob", 0x41);
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    assert_int_equal(step(&f, m, 0xC2, NULL, NULL), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_INVALID_CERTIFICATION);
    assert_int_equal(dnp3_sa_outstation_stats(f.sa)[DNP3_SA_STAT_AUTHENTICATION_FAILURES], 1);
    /* tampered certification data (its last octet) */
    c = status_change(DNP3_SA_USER_ADD, 2, "bob", 0x40);
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    uint8_t req[512];
    int n = dnp3_sa_master_build_update_key_request(m, 0xC3, req, sizeof req);
    assert_true(n > 0);
    req[n - 1] ^= 1;
    sf_os_send(&f, req, (size_t)n);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_INVALID_CERTIFICATION);
    /* a key change for a name no status change added */
    c = sf_update_key_change(0x40, "bob");
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    assert_int_equal(step(&f, m, 0xC4, NULL, NULL), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_UNKNOWN_USER);
    /* CHANGE and DELETE of an unknown user */
    c = status_change(DNP3_SA_USER_CHANGE, 3, "zed", 0x40);
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    assert_int_equal(step(&f, m, 0xC5, NULL, NULL), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_UNKNOWN_USER);
    c = status_change(DNP3_SA_USER_DELETE, 4, "zed", 0x40);
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    assert_int_equal(step(&f, m, 0xC6, NULL, NULL), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_UNKNOWN_USER);
    /* a sequence number below the last one accepted (4 was certified, if refused) */
    c = status_change(DNP3_SA_USER_ADD, 4, "bob", 0x40);
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    assert_int_equal(step(&f, m, 0xC7, NULL, NULL), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_INVALID_CERTIFICATION);
    assert_int_equal(dnp3_sa_outstation_update_key(f.sa, 3, (uint8_t[DNP3_SA_MAX_KEY]){0}), 0);
    assert_int_equal(sf_count_ev(&f, DNP3_SA_EV_USER_STATUS_CHANGED), 0);

    /* an outstation without authority key does not permit it at all */
    sf_os g;
    sf_os_setup(&g, NULL);
    dnp3_crypto gc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *gm = sf_keyed_master(&g, &gc, 1);
    c = status_change(DNP3_SA_USER_ADD, 1, "bob", 0x40);
    assert_int_equal(dnp3_sa_master_begin_update_key(gm, &c), DNP3_OK);
    assert_int_equal(step(&g, gm, 0xC2, NULL, NULL), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&g), DNP3_SA_ERR_UPDATE_KEY_METHOD_NOT_PERMITTED);
}

static void scs_from_ten(dnp3_sa_outstation_config *sc)
{
    sf_uk_tweak(sc);
    sc->status_change_seq = 10; /* restored after a restart */
}

static void test_persisted_sequence_number(void **state)
{
    (void)state;
    sf_os f;
    sf_os_setup(&f, scs_from_ten);
    dnp3_crypto mc = sf_crypto(&(sf_rng){0});
    dnp3_sa_master *m = sf_keyed_master(&f, &mc, 1);
    dnp3_sa_update_key_change c = status_change(DNP3_SA_USER_ADD, 9, "bob", 0x40);
    assert_int_equal(dnp3_sa_master_begin_update_key(m, &c), DNP3_OK);
    assert_int_equal(step(&f, m, 0xC2, NULL, NULL), DNP3_SA_M_FAILED);
    assert_int_equal(sf_error_code(&f), DNP3_SA_ERR_INVALID_CERTIFICATION);
    c = status_change(DNP3_SA_USER_ADD, 10, "bob", 0x40);
    assert_int_equal(run(&f, m, &c), DNP3_SA_M_KEYS_OK);
    assert_int_equal(f.ev[f.n_ev - 2].kind, DNP3_SA_EV_USER_STATUS_CHANGED);
    assert_int_equal(f.ev[f.n_ev - 2].seq, 10); /* the application persists 11 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_user_then_authenticate),
        cmocka_unit_test(test_change_and_delete),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_persisted_sequence_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
