#!/usr/bin/env bash
# test_config_errors.sh BUILD_DIR SOURCE_DIR - `dnp3 outstation --config FILE` refuses a bad
# configuration at start-up with exit status 2 and one line naming FILE:LINE, the dotted path of
# the field and what is wrong (docs/outstation-cli.md), for every kind of mistake the loader knows:
# YAML syntax, wrong node kinds, unknown keys and sections, out-of-range values, duplicates, missing
# required fields, dangling control wiring, and the security section.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_config_errors "$1"

refused() { # refused YAML MESSAGE: the file is refused with exactly "dnp3 outstation: c.yaml:MESSAGE"
    printf '%s' "$1" >"$WORK/c.yaml"
    (cd "$WORK" && timeout 5 "$DNP3" outstation --config c.yaml --listen 127.0.0.1:0 >/dev/null 2>err)
    local rc=$?
    if [ "$rc" = 2 ] && [ "$(cat "$WORK/err")" = "dnp3 outstation: c.yaml$2" ]; then
        ok
    else
        bad "exit $rc for:"$'\n'"$1"$'\n'"  got:  $(cat "$WORK/err")"$'\n'"  want: dnp3 outstation: c.yaml$2"
    fi
}

P='points:
  analog_input:
'
refused "" ": the file is empty"
refused "points: [" ":2: YAML syntax error: did not find expected node content"
refused "- a" ":1: expected a mapping with outstation, points, controls"
refused "foo: 1" ":1: foo: unknown section (expected outstation, points, controls, security, sessions)"
refused "? [a]
: 1" ":2: ?: bad key"
refused "outstation: 3" ":1: outstation: expected a mapping"
refused "outstation:
  link_adr: 5" ":2: outstation.link_adr: unknown key (expected link_addr, master_addr, event_buffer, max_fragment, unsolicited, device_name, framing_error)"
refused "outstation:
  link_addr: 65520" ":2: outstation.link_addr: 65520 is out of range 0..65519"
refused "outstation:
  unsolicited: maybe" ":2: outstation.unsolicited: expected true or false"
refused "outstation:
  framing_error: ignore" ":2: outstation.framing_error: 'ignore' is not close or resync"
refused "points: 1" ":1: points: expected a mapping of point types"
refused "points:
  widget: []" ":2: points.widget: unknown point type (expected binary_input, double_bit_input, binary_output_status, counter, frozen_counter, analog_input, analog_output_status, octet_string, frozen_analog_input)"
refused "${P}    5" ":3: points.analog_input: expected a list of points"
refused "points:
  analog_input: 5" ":2: points.analog_input: expected a list of points"
refused "${P}    - 5" ":3: points.analog_input[0]: expected a mapping with index, name, class, value, ..."
refused "${P}    - {index: 0, class: 7}" ":3: points.analog_input[0].class: 7 is out of range 0..3"
refused "${P}    - {index: 1.5}" ":3: points.analog_input[0].index: expected a whole number, got 1.5"
refused "${P}    - {index: 0, value: volts}" ":3: points.analog_input[0].value: expected a number, got \"volts\""
refused "${P}    - {index: 1}
    - {index: 1}" ":4: points.analog_input[1]: index 1 is defined twice"
refused "${P}    - {index: 0, simulate: {min: 5, max: 1}}" ":3: points.analog_input[0].simulate: min is above max"
refused "${P}    - {index: 0, simulate: {min: 5, rate: 1}}" ":3: points.analog_input[0].simulate.rate: unknown key (expected min, max, step)"
refused "points:
  counter:
    - {index: 0, deadband: 3}" ":3: points.counter[0].deadband: unknown key for counter"
refused "points:
  octet_string:
    - {index: 0}" ":3: points.octet_string[0]: an octet string needs a value"
refused "controls: 3" ":1: controls: expected a list of controls"
refused "controls:
  - {name: x}" ":2: controls[0]: a control needs crob: N or analog_output: N"
refused "controls:
  - {crob: 0, colour: red}" ":2: controls[0].colour: unknown key (expected crob, analog_output, name, binary_input, double_bit_input, binary_output_status, analog_output_status, min, max)"
refused "controls:
  - {crob: 0, binary_output_status: 9}" ":2: controls[0].binary_output_status: binary_output_status 9 does not exist (the database has 0)"
refused "security: 1" ":1: security: expected a mapping with secure_authentication, tls"
refused "security:
  vpn: {}" ":2: security.vpn: unknown key (expected secure_authentication, tls)"
refused "security:
  secure_authentication:
    users: {a: 1}" ":3: security.secure_authentication.users: expected a list of users"
refused "security:
  secure_authentication:
    users:
      - {number: 1}" ":4: security.secure_authentication.users[0]: a user needs number and update_key_file"
refused "security:
  secure_authentication:
    users:
      - {number: 1, update_key_file: a.key}
      - {number: 1, update_key_file: b.key}" ":5: security.secure_authentication.users[1]: user 1 is given twice"
refused "security:
  secure_authentication:
    mac: md5" ":3: security.secure_authentication.mac: expected hmac-sha256-16, hmac-sha256-8, hmac-sha1-10, hmac-sha1-8 or hmac-sha1-4"
refused "security:
  secure_authentication: {}" ":2: security.secure_authentication: secure_authentication needs at least one user"
refused "security:
  tls:
    listen: 127.0.0.1:19999" ":3: security.tls: tls needs certificate and private_key"
refused "security:
  tls:
    certificate: a.pem
    private_key: a.key" ":3: security.tls: tls needs ca or peer_certificate to authenticate the master"
refused "security:
  tls:
    min_version: 1.1" ":3: security.tls.min_version: expected \"1.2\" or \"1.3\""
refused "sessions: 3" ":1: sessions: expected a list of sessions"
refused "sessions: []" ":1: sessions: the list of sessions is empty"
refused "sessions:
  - {name: a, colour: red}" ":2: sessions[0].colour: unknown key (expected name, allow, transports, classes, read_only, tls_names, sa_users)"
refused "sessions:
  - {classes: [4]}" ":2: sessions[0].classes[0]: 4 is out of range 1..3"
refused "sessions:
  - {transports: [udp, serial]}" ":2: sessions[0].transports[1]: expected tcp, udp or tls"
refused "sessions:
  - {read_only: perhaps}" ":2: sessions[0].read_only: expected true or false"

live_finish
