#!/usr/bin/python3
"""An RTSP server Custos did not write, for the recorder's tests: GStreamer's RTSP server
serving pre-encoded clips in real time.

Usage: gst_rtsp_server.py PORT NAME=FILE.mp4 [NAME=FILE.mp4 ...]
Each NAME is served at rtsp://127.0.0.1:PORT/NAME; a clip whose name contains "265" is sent
as H.265, any other as H.264. Every client gets the clip from its start. Prints "ready" when
it is listening; stops on SIGTERM or SIGINT.
"""
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    Gst.init(None)
    port = sys.argv[1]
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    mounts = server.get_mount_points()
    for spec in sys.argv[2:]:
        name, path = spec.split("=", 1)
        codec = "h265" if "265" in name else "h264"
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(
            f"( filesrc location={path} ! qtdemux ! {codec}parse config-interval=-1 "
            f"! rtp{codec}pay name=pay0 pt=96 config-interval=-1 )"
        )
        factory.set_shared(False)
        mounts.add_factory("/" + name, factory)
    server.attach(None)
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print("ready", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
