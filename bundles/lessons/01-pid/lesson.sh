# Lesson 01: runs as the first process of a new pid namespace.
echo "I am pid $$; my parent is pid $PPID (it lives outside my namespace)"

# An orphan: a shell starts 'sleep 0.4' in the background and exits at
# once; the kernel gives the orphan to the namespace's init, pid 1: me.
sh -c 'exec sleep 0.4 &'
# A zombie: a shell starts 'sleep 0' and then execs 'sleep 0.3', which
# never calls wait(): the finished 'sleep 0' stays a zombie until then.
sh -c 'sleep 0 & exec sleep 0.3' &
sleep 0.2
echo "-- ps, 0.2 s in:"
ps -o pid,ppid,stat,args

# While it waits for this sleep, sh (pid 1) reaps every child that ends,
# its own and the ones it inherited.
sleep 0.5
echo "-- ps, 0.7 s in:"
ps -o pid,ppid,stat,args

echo "-- I leave 'sleep 100' running and exit: the kernel kills it with me"
sleep 100 &
