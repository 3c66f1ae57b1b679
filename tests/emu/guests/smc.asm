bits 64
org 0x100000
  mov ecx, 3
again:
  call patched
  lea rdi, [rel patched+1]
  inc dword [rdi]           ; patch the immediate of the mov below
  dec ecx
  jnz again
  hlt
patched:
  mov eax, 100
  ret
