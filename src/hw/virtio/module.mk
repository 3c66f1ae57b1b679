# virtio-pci transport, virtio devices and their backends (block images, networking).
