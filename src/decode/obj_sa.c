/*
 * obj_sa.c - fields of the Secure Authentication objects, group 120
 * variations 1-15 (IEEE 1815-2012 clause 7 / IEC 62351-5 authentication
 * objects), for the decoder's text and JSON output (see obj_fields.h). The
 * octets are decoded by the library's own codec (dnp3_g120_decode, which
 * checks every embedded length against the object size); this file only
 * names the fields and their codes, and the security statistics (g121/g122
 * point indexes).
 */
#include "dnp3/sa.h"
#include "obj_fields.h"

static const char *mal_name(unsigned m)
{
    static const char *const N[] = {"NONE",           "HMAC_SHA1_4", "HMAC_SHA1_10", "HMAC_SHA256_8",
                                    "HMAC_SHA256_16", "HMAC_SHA1_8", "AES_GMAC"};
    return m < sizeof N / sizeof N[0] ? N[m] : NULL;
}

static const char *kwa_name(unsigned k)
{
    return k == DNP3_SA_KWA_AES128 ? "AES128" : k == DNP3_SA_KWA_AES256 ? "AES256" : NULL;
}

static const char *key_status_name(unsigned s)
{
    static const char *const N[] = {NULL, "OK", "NOT_INIT", "COMM_FAIL", "AUTH_FAIL"};
    return s < sizeof N / sizeof N[0] ? N[s] : NULL;
}

/* Key change methods of the update-key change and user status change. */
static const char *kcm_name(unsigned k)
{
    switch (k) {
    case 3: return "AES128_SHA1";
    case 4: return "AES256_SHA256";
    case 5: return "AES256_AES_GMAC";
    case 67: return "RSA1024_DSA1024_SHA1";
    case 68: return "RSA2048_DSA2048_SHA256";
    case 69: return "RSA3072_DSA3072_SHA256";
    case 70: return "RSA2048_DSA2048_AES_GMAC";
    case 71: return "RSA3072_DSA3072_AES_GMAC";
    default: return NULL;
    }
}

static const char *op_name(unsigned op)
{
    static const char *const N[] = {NULL, "ADD", "DELETE", "CHANGE"};
    return op < sizeof N / sizeof N[0] ? N[op] : NULL;
}

static const char *role_name(unsigned r)
{
    static const char *const N[] = {"VIEWER", "OPERATOR", "ENGINEER", "INSTALLER", "SECADM", "SECAUD", "RBACMNT"};
    if (r == DNP3_SA_ROLE_SINGLE_USER) return "SINGLE_USER";
    return r < sizeof N / sizeof N[0] ? N[r] : NULL;
}

static const char *cert_type_name(unsigned t)
{
    return t == 1 ? "ID_CERTIFICATE" : t == 2 ? "ATTRIBUTE_CERTIFICATE" : NULL;
}

const char *dnp3_obj_sa_stat_name(uint32_t index)
{
    static const char *const N[DNP3_SA_STAT_COUNT] = {
        "UNEXPECTED_MESSAGES",        "AUTHORIZATION_FAILURES",
        "AUTHENTICATION_FAILURES",    "REPLY_TIMEOUTS",
        "REKEYS_DUE_TO_AUTH_FAILURE", "TOTAL_MESSAGES_SENT",
        "TOTAL_MESSAGES_RECEIVED",    "CRITICAL_MESSAGES_SENT",
        "CRITICAL_MESSAGES_RECEIVED", "DISCARDED_MESSAGES",
        "ERROR_MESSAGES_SENT",        "ERROR_MESSAGES_RECEIVED",
        "SUCCESSFUL_AUTHENTICATIONS", "SESSION_KEY_CHANGES",
        "FAILED_SESSION_KEY_CHANGES", "UPDATE_KEY_CHANGES",
        "FAILED_UPDATE_KEY_CHANGES",  "REKEYS_DUE_TO_RESTARTS",
    };
    return index < DNP3_SA_STAT_COUNT ? N[index] : NULL;
}

static void add_seq_user(obj_fields *o, const char *seq, const dnp3_g120 *g)
{
    dnp3_obj_fields_add(o, FLD_UINT, seq, seq[0] == 'C' ? "csq" : "ksq", g->seq);
    dnp3_obj_fields_add(o, FLD_UINT, "user", "user", g->user);
}

static void add_mal(obj_fields *o, const dnp3_g120 *g)
{
    dnp3_obj_fields_add_enum(o, "MAC algorithm", "mac_algorithm", g->mal, mal_name(g->mal));
}

bool dnp3_obj_sa_decode(uint8_t variation, const uint8_t *p, size_t n, obj_fields *o)
{
    dnp3_g120 g;
    if (variation < 1 || variation > 15) return false;
    int rc = dnp3_g120_decode(variation, p, n, &g);
    if (rc != DNP3_OK) {
        o->problem = rc == DNP3_ERR_APP_TRUNCATED ? "the object is shorter than its fields"
                                                  : "a length field or a field size does not fit the object";
        return true;
    }
    switch (variation) {
    case 1: /* challenge */
        add_seq_user(o, "CSQ", &g);
        add_mal(o, &g);
        dnp3_obj_fields_add_enum(o, "reason", "reason", g.reason, g.reason == 1 ? "CRITICAL" : NULL);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "challenge", "challenge", g.data, g.data_len);
        break;
    case 2: /* reply */
        add_seq_user(o, "CSQ", &g);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "MAC", "mac", g.data, g.data_len);
        break;
    case 3: /* aggressive mode request */ add_seq_user(o, "CSQ", &g); break;
    case 4: /* session key status request */ dnp3_obj_fields_add(o, FLD_UINT, "user", "user", g.user); break;
    case 5: /* session key status */
        add_seq_user(o, "KSQ", &g);
        dnp3_obj_fields_add_enum(o, "key wrap", "key_wrap_algorithm", g.kwa, kwa_name(g.kwa));
        dnp3_obj_fields_add_enum(o, "key status", "key_status", g.ks, key_status_name(g.ks));
        add_mal(o, &g);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "challenge", "challenge", g.data, g.data_len);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "MAC", "mac", g.data2, g.data2_len);
        break;
    case 6: /* session key change */
        add_seq_user(o, "KSQ", &g);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "wrapped key data", "key_wrap_data", g.data, g.data_len);
        break;
    case 7: /* error */
        add_seq_user(o, "CSQ", &g);
        dnp3_obj_fields_add(o, FLD_UINT, "association", "association", g.assoc);
        dnp3_obj_fields_add_enum(o, "error", "error", g.error, dnp3_sa_error_name(g.error));
        dnp3_obj_fields_add(o, FLD_TIME, "time", "time", g.time);
        if (g.data_len) dnp3_obj_fields_add_octets(o, FLD_TEXT, "text", "text", g.data, g.data_len);
        break;
    case 8: /* user certificate */
        dnp3_obj_fields_add_enum(o, "key change method", "key_change_method", g.kcm, kcm_name(g.kcm));
        dnp3_obj_fields_add_enum(o, "certificate type", "certificate_type", g.cert_type,
                                 cert_type_name(g.cert_type));
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "certificate", "certificate", g.data, g.data_len);
        break;
    case 10: /* user status change */
        dnp3_obj_fields_add_enum(o, "key change method", "key_change_method", g.kcm, kcm_name(g.kcm));
        dnp3_obj_fields_add_enum(o, "operation", "operation", g.op, op_name(g.op));
        dnp3_obj_fields_add(o, FLD_UINT, "SCS", "scs", g.seq);
        dnp3_obj_fields_add_enum(o, "role", "role", g.role, role_name(g.role));
        dnp3_obj_fields_add(o, FLD_UINT, "role expiry (days)", "role_expiry_days", g.role_expiry);
        dnp3_obj_fields_add_octets(o, FLD_TEXT, "user name", "user_name", g.data, g.data_len);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "public key", "public_key", g.data2, g.data2_len);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "certification data", "certification_data", g.data3, g.data3_len);
        break;
    case 11: /* update key change request */
        dnp3_obj_fields_add_enum(o, "key change method", "key_change_method", g.kcm, kcm_name(g.kcm));
        dnp3_obj_fields_add_octets(o, FLD_TEXT, "user name", "user_name", g.data, g.data_len);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "master challenge", "challenge", g.data2, g.data2_len);
        break;
    case 12: /* update key change reply */
        add_seq_user(o, "KSQ", &g);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "outstation challenge", "challenge", g.data, g.data_len);
        break;
    case 13: /* update key change */
        add_seq_user(o, "KSQ", &g);
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "encrypted update key", "encrypted_update_key", g.data,
                                   g.data_len);
        break;
    case 14: /* update key change signature */
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "signature", "signature", g.data, g.data_len);
        break;
    default: /* 9 MAC, 15 update key change confirmation */
        dnp3_obj_fields_add_octets(o, FLD_BYTES, "MAC", "mac", g.data, g.data_len);
        break;
    }
    return true;
}
