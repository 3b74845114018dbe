/* exit0: exit(0) and nothing else, without libc.  The payload of scenario
 * 9, so that the peak RSS GNU time reports (the largest of the runtime and
 * the children it waited for) is the runtime's, not busybox's. */
void _start(void);

void _start(void)
{
#if defined(__x86_64__)
	__asm__ volatile("syscall" : : "a"(60), "D"(0));
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = 93, x0 __asm__("x0") = 0;
	__asm__ volatile("svc 0" : : "r"(x8), "r"(x0));
#else
#error "exit0: x86_64 and aarch64 only"
#endif
	for (;;)
		;
}
