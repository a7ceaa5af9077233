/*
 * apdu.c - application layer fragment header (IEEE 1815-2012 clause 4.2.2):
 * application control, function code, IIN for responses; the control rules of
 * clause 4.2.2.4 per direction; which functions carry object data.
 */
#include "dnp3/app.h"

bool dnp3_fc_is_response(uint8_t fc)
{
    return fc == DNP3_FC_RESPONSE || fc == DNP3_FC_UNSOLICITED_RESPONSE || fc == DNP3_FC_AUTH_RESPONSE;
}

bool dnp3_fc_headers_only(uint8_t fc)
{
    switch (fc) {
    case DNP3_FC_READ:
    case DNP3_FC_IMMED_FREEZE:
    case DNP3_FC_IMMED_FREEZE_NR:
    case DNP3_FC_FREEZE_CLEAR:
    case DNP3_FC_FREEZE_CLEAR_NR:
    case DNP3_FC_ENABLE_UNSOLICITED:
    case DNP3_FC_DISABLE_UNSOLICITED:
    case DNP3_FC_ASSIGN_CLASS: return true;
    default: return false;
    }
}

bool dnp3_fc_no_objects(uint8_t fc)
{
    switch (fc) {
    case DNP3_FC_CONFIRM:
    case DNP3_FC_COLD_RESTART:
    case DNP3_FC_WARM_RESTART:
    case DNP3_FC_INITIALIZE_DATA:
    case DNP3_FC_SAVE_CONFIGURATION:
    case DNP3_FC_DELAY_MEASURE:
    case DNP3_FC_RECORD_CURRENT_TIME: return true;
    default: return false;
    }
}

int dnp3_apdu_parse(const uint8_t *frag, size_t len, dnp3_apdu *out)
{
    if (!frag || len < 2) return DNP3_ERR_APP_TRUNCATED;
    out->control = frag[0];
    out->function = frag[1];
    out->iin = 0;
    size_t hdr = 2;
    if (dnp3_fc_is_response(frag[1])) {
        if (len < 4) return DNP3_ERR_APP_TRUNCATED;
        out->iin = (uint16_t)(frag[2] | (frag[3] << 8));
        hdr = 4;
    }
    out->objects = frag + hdr;
    out->objects_len = len - hdr;
    return DNP3_OK;
}

int dnp3_apdu_check_control(const dnp3_apdu *a)
{
    uint8_t ac = a->control;
    bool fir = ac & DNP3_AC_FIR, fin = ac & DNP3_AC_FIN, uns = ac & DNP3_AC_UNS;
    switch (a->function) {
    case DNP3_FC_RESPONSE: return uns ? DNP3_ERR_APP_BAD_HEADER : DNP3_OK;
    case DNP3_FC_UNSOLICITED_RESPONSE: return (uns && fir && fin) ? DNP3_OK : DNP3_ERR_APP_BAD_HEADER;
    case DNP3_FC_AUTH_RESPONSE: /* single fragment, either direction's UNS */
    case DNP3_FC_CONFIRM: return (fir && fin) ? DNP3_OK : DNP3_ERR_APP_BAD_HEADER;
    default: return (fir && fin && !uns) ? DNP3_OK : DNP3_ERR_APP_BAD_HEADER;
    }
}
