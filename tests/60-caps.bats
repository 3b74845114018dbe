#!/usr/bin/env bats
# 60-caps: the payload holds exactly the capabilities its config lists, in
# each of the five sets, and nothing else — in particular nothing in the
# inheritable set it did not ask for (CVE-2022-27650: runtimes that filled
# CapInh let a setuid-free exec regain privileges).

load helpers

# cap_mask NAME...: the /proc/self/status hex mask of these capabilities.
cap_mask() {
	local mask=0 n
	declare -A bit=([CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_FOWNER]=3
		[CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_NET_BIND_SERVICE]=10
		[CAP_NET_RAW]=13 [CAP_SYS_CHROOT]=18 [CAP_SYS_ADMIN]=21
		[CAP_MKNOD]=27 [CAP_AUDIT_WRITE]=29 [CAP_SETFCAP]=31)
	for n in "$@"; do
		[ -n "${bit[$n]:-}" ] || { fail "cap_mask: no bit for '$n'"; return 1; }
		mask=$((mask | (1 << ${bit[$n]})))
	done
	printf '%016x\n' "$mask"
}

# expect_caps: "Set=mask" lines the config promises, in probe's order.  For
# uid 0 the kernel's execve makes the effective set the whole permitted set
# (capabilities(7), "root" rules; runc shows the same), so there CapEff
# follows process.capabilities.permitted.
expect_caps() {
	local set key names uid
	uid=$(jq -r '.process.user.uid // 0' "$BUNDLE/config.json")
	for key in CapInh:inheritable CapPrm:permitted CapEff:effective \
		CapBnd:bounding CapAmb:ambient; do
		set=${key#*:}
		[ "$set" = effective ] && [ "$uid" = 0 ] && set=permitted
		mapfile -t names < <(jq -r ".process.capabilities.$set // [] | .[]" \
			"$BUNDLE/config.json")
		echo "${key%%:*}=$(cap_mask "${names[@]}")"
	done
}

assert_caps_match_config() {
	cfg_args probe caps
	husk_run -0 run -b "$BUNDLE" "$ID"
	local want
	want=$(expect_caps)
	assert_output "$want"
	assert_clean
}

@test "caps: the default spec set is exactly what the payload holds" {
	make_bundle
	# Negative control for the comparison: the default set is not empty,
	# so an all-zero status could not pass by accident.
	run -0 jq -r '.process.capabilities.effective | length' "$BUNDLE/config.json"
	refute_output 0
	assert_caps_match_config
	assert_line CapEff=0000000020000420
	assert_line CapInh=0000000000000000
}

@test "caps: a custom set including CAP_SYS_ADMIN is applied in every set" {
	make_bundle
	cfg '.process.capabilities = {
		bounding: ["CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_NET_RAW", "CAP_KILL"],
		permitted: ["CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_NET_RAW"],
		effective: ["CAP_SYS_ADMIN", "CAP_CHOWN"],
		inheritable: ["CAP_CHOWN"],
		ambient: ["CAP_CHOWN"] }'
	assert_caps_match_config
	assert_line "CapEff=$(cap_mask CAP_SYS_ADMIN CAP_CHOWN CAP_NET_RAW)"
	# Negative control: CAP_KILL is only in the bounding set and must not
	# leak into the permitted set.
	refute_line "CapPrm=$(cap_mask CAP_SYS_ADMIN CAP_CHOWN CAP_NET_RAW CAP_KILL)"
	assert_line "CapBnd=$(cap_mask CAP_SYS_ADMIN CAP_CHOWN CAP_NET_RAW CAP_KILL)"
	assert_line "CapAmb=$(cap_mask CAP_CHOWN)"
}

@test "caps: no capabilities object leaves every set empty" {
	make_bundle
	cfg 'del(.process.capabilities)'
	cfg_args probe caps
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_line CapInh=0000000000000000
	assert_line CapPrm=0000000000000000
	assert_line CapEff=0000000000000000
	assert_line CapBnd=0000000000000000
	assert_line CapAmb=0000000000000000
	assert_clean
}

@test "caps: inheritable stays empty unless listed (CVE-2022-27650)" {
	make_bundle
	# A rich bounding/permitted set without an inheritable list: husk must
	# not copy anything into CapInh.
	cfg '.process.capabilities = {
		bounding: ["CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_KILL"],
		permitted: ["CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_KILL"],
		effective: ["CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_KILL"] }'
	cfg_args probe caps
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_line CapInh=0000000000000000
	assert_line CapAmb=0000000000000000
	# Control: the same config with an inheritable list does show it, so the
	# zero above is husk's doing, not probe failing to read the field.
	cfg '.process.capabilities.inheritable = ["CAP_KILL"]'
	husk_run -0 run -b "$BUNDLE" "$ID-2"
	assert_line "CapInh=$(cap_mask CAP_KILL)"
}

@test "caps: with user uid 1000 the effective set still follows the config" {
	make_bundle
	cfg '.process.user = {uid: 1000, gid: 1000}
	     | .process.capabilities = {
		bounding: ["CAP_NET_BIND_SERVICE", "CAP_KILL", "CAP_CHOWN"],
		permitted: ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		effective: ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		ambient: ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		inheritable: ["CAP_NET_BIND_SERVICE", "CAP_KILL"] }'
	cfg_args probe caps
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_line "CapEff=$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)"
	assert_line "CapPrm=$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)"
	assert_line "CapBnd=$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL CAP_CHOWN)"
	cfg_args probe ids
	husk_run -0 run -b "$BUNDLE" "$ID-2"
	assert_output --partial 'uid=1000 gid=1000 euid=1000'
	assert_clean
}

@test "caps: uid 1000 without ambient caps loses them at exec (negative control)" {
	make_bundle
	cfg '.process.user = {uid: 1000, gid: 1000}
	     | .process.capabilities = {
		bounding: ["CAP_KILL"], permitted: ["CAP_KILL"],
		effective: ["CAP_KILL"] }'
	cfg_args probe caps
	husk_run -0 run -b "$BUNDLE" "$ID"
	# A non-root exec keeps only ambient capabilities: with none listed the
	# payload must hold nothing but the bounding set.
	assert_line CapEff=0000000000000000
	assert_line CapPrm=0000000000000000
	assert_line "CapBnd=$(cap_mask CAP_KILL)"
}

@test "caps: an unknown capability is refused with its JSON path" {
	make_bundle
	cfg '.process.capabilities.effective += ["CAP_NO_SUCH_THING"]'
	cfg_args probe caps
	husk_run -1 run -b "$BUNDLE" "$ID"
	assert_output --partial 'CAP_NO_SUCH_THING'
	assert_output --partial 'process.capabilities.effective'
	refute_output --partial 'CapEff='
	assert_clean
}

@test "caps: ambient caps that are not inheritable (runc spec's config) are skipped with a warning" {
	make_bundle
	# What `runc spec` writes: ambient listed, inheritable absent.  runc
	# and crun run it; the kernel cannot raise those ambient caps, and
	# husk must not make them inheritable to force it.
	cfg '.process.capabilities = {
		bounding: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		permitted: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		effective: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		ambient: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"] }'
	cfg_args probe caps
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_line --partial 'warning: ambient capabilities cap_kill,cap_net_bind_service,cap_audit_write are skipped'
	assert_line CapInh=0000000000000000
	assert_line CapAmb=0000000000000000
	assert_line "CapPrm=$(cap_mask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)"
	assert_clean
}
