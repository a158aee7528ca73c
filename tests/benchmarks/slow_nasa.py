"""NASA Images on 127.0.0.1 in a process of its own: /search answers 24 items at once, each
thumbnail after LATENCY seconds (the stall benchmark's server: outside the window's process,
so its threads never compete with the window's for the GIL)."""
import io, json, re, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from PIL import Image

COUNT, LATENCY = int(sys.argv[1]), float(sys.argv[2])


def jpeg(i):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (i * 9 % 255, 90, 200 - i * 5)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


IMAGES = {i: jpeg(i) for i in range(COUNT)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, body, kind):
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        match = re.search(r"(\d+)~thumb", url.path)
        if url.path.startswith("/img/") and match:
            time.sleep(LATENCY)
            return self._send(IMAGES[int(match.group(1)) % COUNT], "image/jpeg")
        if url.path == "/search":
            q = parse_qs(url.query).get("q", [""])[0]
            base = f"http://127.0.0.1:{self.server.server_port}"
            items = [{"data": [{"nasa_id": f"n{i}", "title": f"Nebula {i}", "media_type": "image"}],
                      "links": [{"href": f"{base}/img/{q}/n{i}~thumb.jpg", "rel": "preview", "render": "image"}]}
                     for i in range(COUNT)]
            body = {"collection": {"items": items, "links": [], "metadata": {"total_hits": COUNT}}}
            return self._send(json.dumps(body).encode(), "application/json")
        self.send_error(404)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_port, flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()  # ends with its parent's pipe
server.serve_forever()
