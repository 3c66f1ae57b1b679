bits 64
org 0x100000
  xor eax, eax
  mov ecx, 1000
l: add rax, rcx
  dec ecx
  jnz l
  hlt
