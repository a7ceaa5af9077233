/*
 * fuzz_gateway_config.c - libFuzzer target for the `dnp3 master run --config`
 * YAML loader (tools/cli/gateway/gw_config.c, with the MQTT address and TLS
 * rules of gw_mqtt_tls.c): any input either loads into a configuration that
 * keeps the loader's promises (at least one outstation, a store, names and
 * targets terminated, link addresses distinct, a port for MQTT) or is refused
 * with a "NAME:LINE: ..." message. Nothing is opened: the TLS files are only
 * checked when the gateway starts.
 */
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gw_config c;
    char err[1024] = "";
    if (gw_config_load_buffer("fuzz.yaml", data, size, &c, err, sizeof err) != 0) {
        if (strncmp(err, "fuzz.yaml", 9) != 0) abort(); /* every refusal names the file */
        return 0;
    }
    if (c.n_outstations == 0 || (c.store == GW_STORE_NONE && !c.mqtt)) abort();
    if (c.mqtt && (!c.mqtt_host[0] || c.mqtt_port == 0)) abort();
    /* TLS exactly when asked for, and never against what was asked */
    if (c.mqtt_tls !=
        (c.mqtt && (c.mqtt_scheme == GW_MQTT_TLS || c.mqtt_tls_key == 1 || c.mqtt_ca[0] || c.mqtt_cert[0])))
        abort();
    if (c.mqtt && ((c.mqtt_tls && (c.mqtt_scheme == GW_MQTT_PLAIN || c.mqtt_tls_key == 0)) ||
                   (!c.mqtt_tls && c.mqtt_scheme == GW_MQTT_TLS)))
        abort();
    for (size_t i = 0; i < c.n_outstations; i++) {
        const gw_outstation_cfg *o = &c.outstations[i];
        if (!memchr(o->name, 0, sizeof o->name) || !memchr(o->target, 0, sizeof o->target)) abort();
        if (!o->name[0] || o->link_addr == o->master_addr) abort();
    }
    gw_config_free(&c);
    return 0;
}
