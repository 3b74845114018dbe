# Lesson 05: the network namespace.
echo "my network namespace: $(readlink /proc/self/ns/net)"
echo "interfaces:" $(ls /sys/class/net)
ip link show
echo "-- connect to 127.0.0.1 port 80 while lo is down:"
nc 127.0.0.1 80 </dev/null 2>&1
echo "-- ip link set lo up (this takes CAP_NET_ADMIN, over this namespace only)"
ip link set lo up
ip -4 addr show lo
echo "-- connect again: nobody listens on port 80, and the kernel says so"
nc 127.0.0.1 80 </dev/null 2>&1
echo "routes in my main table: $(ip route show | wc -l) (no way out: no default route)"
