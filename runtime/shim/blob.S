/* husk's shim (shim.c), built by the Makefile into shim.bin, inside husk's
 * own binary: self.c copies it into a sealed memfd. */
	.section .rodata
	.global husk_shim
	.global husk_shim_end
	.balign 16
husk_shim:
	.incbin "runtime/shim/shim.bin"
husk_shim_end:
	.section .note.GNU-stack,"",@progbits
