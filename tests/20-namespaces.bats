#!/usr/bin/env bats
# 20-namespaces: each namespace in .linux.namespaces is new and private,
# each one left out is shared with the caller, and a namespace given by
# path is joined.  Checked from inside (probe, busybox, /proc) and outside.

load helpers

# ns_inode PATH: "net:[4026531840]" -> 4026531840
ns_inode() {
	local l
	l=$(readlink "$1") || return 1
	l=${l#*[}
	echo "${l%]}"
}

@test "namespaces: 1 the hostname is set inside, the host's is unchanged" {
	local before
	before=$(hostname)
	make_bundle
	cfg '.hostname = "husk-box-1"'
	cfg_args /bin/hostname
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output husk-box-1
	# Negative: the host kept its name.
	assert_equal "$(hostname)" "$before"
	refute [ "$before" = husk-box-1 ]
	assert_clean
}

@test "namespaces: 2 the payload is pid 1 and sees only its own processes" {
	make_bundle
	cfg_args /bin/sh -c '/usr/bin/probe pid; echo procs=$(ls -d /proc/[0-9]* | wc -l); ps -o pid,comm; echo end'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# sh is pid 1 and forks probe, so probe's parent is pid 1.
	assert_line --regexp '^pid=[0-9]+ ppid=1$'
	# sh, its command-substitution subshell, ls and wc: never the host's.
	local n
	n=$(sed -n 's/^procs=//p' <<<"$output")
	assert [ "$n" -le 4 ]
	assert_line --regexp '^ *1 +sh$'
	# ps sees exactly itself and sh: header + 2 lines, then "end".
	run -0 sed -n '/^PID/,/^end$/p' <<<"$output"
	assert_equal "${#lines[@]}" 4
	# Negative control: the host has more processes than that.
	assert [ "$(ls -d /proc/[0-9]* | wc -l)" -gt 4 ]
	assert_clean
}

@test "namespaces: 3 exec'd payload is pid 1" {
	make_bundle
	cfg_args /usr/bin/probe pid
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output 'pid=1 ppid=0'
	# Negative control: on the host, probe is never pid 1.
	run -0 "$PROBE" pid
	refute_output --regexp '^pid=1 '
}

@test "namespaces: 4 the rootfs is / in the mount table, host mounts are gone" {
	make_bundle
	cfg_args /bin/cat /proc/self/mountinfo
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# Field 4 is the root within its filesystem, field 5 the mount point.
	run -0 awk '$5 == "/" { print $4 }' <<<"$output"
	assert_output "$BUNDLE/rootfs"
	# Negative: the host's own / (where the bundle lives) is not visible
	# as a separate mount, nor the bundle path as a mount point.
	refute_output --partial "$BATS_TEST_TMPDIR "
	assert_clean
}

@test "namespaces: 5 the IPC namespace is empty even when the host has objects" {
	local shmid
	shmid=$(ipcmk -M 4096 | grep -o '[0-9]*$')
	[ -n "$shmid" ]
	# Negative control: the host sees its segment.
	run -0 cat /proc/sysvipc/shm
	assert_output --regexp "[[:space:]]$shmid[[:space:]]"
	make_bundle
	cfg_args /bin/sh -c 'cat /proc/sysvipc/shm /proc/sysvipc/msg /proc/sysvipc/sem | grep -vc "^ *key"'
	husk_run run --bundle "$BUNDLE" "$ID"
	ipcrm -m "$shmid"
	# grep -c prints 0 and exits 1 when only headers are there.
	assert_output 0
	assert_clean
}

@test "namespaces: 6 the network namespace has only lo" {
	make_bundle
	cfg_args /bin/sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output lo
	# Negative control: the host has more than lo.
	run -0 sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	assert_line lo
	assert [ "${#lines[@]}" -gt 1 ]
	assert_clean
}

@test "namespaces: 7 namespaces that are listed differ from the host's" {
	make_bundle
	cfg_args /bin/sh -c 'for n in net ipc uts mnt pid; do echo $n=$(readlink /proc/self/ns/$n); done'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	local n
	for n in net ipc uts mnt pid; do
		refute_line "$n=$(readlink /proc/self/ns/$n)"
		assert_line --regexp "^$n=$n:\[[0-9]+\]$"
	done
}

@test "namespaces: 8 namespaces left out of the config are shared with the caller" {
	make_bundle
	cfg '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
	cfg_args /bin/sh -c 'for n in net ipc uts; do echo $n=$(readlink /proc/self/ns/$n); done'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line "net=$(readlink /proc/self/ns/net)"
	assert_line "ipc=$(readlink /proc/self/ns/ipc)"
	# Control: uts is still in the config, so it is private.
	refute_line "uts=$(readlink /proc/self/ns/uts)"
	assert_clean
}

net_differs() {
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

@test "namespaces: 9 a network namespace given by path is joined" {
	unshare --net sleep 1000 &
	local holder=$!
	track_pid "$holder"
	# Polled: unshare has made the namespace once its net link differs.
	wait_until 30 net_differs "$holder"
	local want
	want=$(readlink "/proc/$holder/ns/net")
	make_bundle
	cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/proc/$holder/ns/net"
	cfg_args /bin/readlink /proc/self/ns/net
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output "$want"
	# Negative: not the host's.
	refute_output "$(readlink /proc/self/ns/net)"
	assert_clean
	kill "$holder"
}

@test "namespaces: 10 a namespace path that is not a namespace is refused" {
	make_bundle
	cfg '.linux.namespaces |= map(if .type == "network" then .path = "/etc/hostname" else . end)'
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial '/etc/hostname'
	assert_clean
}
