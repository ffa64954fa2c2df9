package dev.attribution.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A minimal keep-alive HTTP/1.1 server on loopback that answers every request with the same
 * pre-encoded response, written in one {@code write} with TCP_NODELAY. Per request it only scans
 * the request head for {@code Content-Length} and skips the body, so almost all the measured time
 * is the client's. A thread per connection; daemon threads.
 */
final class LoopbackHttpServer implements AutoCloseable {

  private final ServerSocket serverSocket;
  private final byte[] response;
  private final Thread acceptor;
  private volatile boolean closed;

  private LoopbackHttpServer(byte[] response) {
    this.response = response;
    try {
      this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.acceptor = new Thread(this::acceptLoop, "loopback-http-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Answers with {@code body} and a {@code Content-Length}. */
  static LoopbackHttpServer fixed(String contentType, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 256);
    writeAscii(out, head(contentType, "Content-Length: " + body.length));
    out.writeBytes(body);
    return new LoopbackHttpServer(out.toByteArray());
  }

  /** Answers with one HTTP chunk per element of {@code chunks} ({@code Transfer-Encoding}). */
  static LoopbackHttpServer chunked(String contentType, List<byte[]> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeAscii(out, head(contentType, "Transfer-Encoding: chunked"));
    for (byte[] c : chunks) {
      writeAscii(out, Integer.toHexString(c.length) + "\r\n");
      out.writeBytes(c);
      writeAscii(out, "\r\n");
    }
    writeAscii(out, "0\r\n\r\n");
    return new LoopbackHttpServer(out.toByteArray());
  }

  private static String head(String contentType, String framing) {
    return "HTTP/1.1 200 OK\r\nContent-Type: "
        + contentType
        + "\r\nx-request-id: req_0123456789abcdef\r\n"
        + framing
        + "\r\n\r\n";
  }

  private static void writeAscii(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code http://127.0.0.1:port/path}. */
  String url(String path) {
    return "http://" + hostPort() + path;
  }

  /** {@code 127.0.0.1:port}, for mapping the server to a provider. */
  String hostPort() {
    return serverSocket.getInetAddress().getHostAddress() + ":" + serverSocket.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = serverSocket.accept();
        s.setTcpNoDelay(true);
        Thread t = new Thread(() -> serve(s), "loopback-http-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private void serve(Socket socket) {
    try (Socket s = socket) {
      InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
      OutputStream out = s.getOutputStream();
      StringBuilder line = new StringBuilder(128);
      while (!closed) {
        long contentLength = 0;
        boolean any = false;
        // Read the request head line by line, up to the empty line.
        while (true) {
          line.setLength(0);
          int b;
          while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
              line.append((char) b);
            }
          }
          if (b == -1) {
            return;
          }
          if (line.length() == 0) {
            if (any) {
              break;
            }
            continue;
          }
          any = true;
          if (line.length() > 15
              && line.substring(0, 15).toLowerCase(Locale.ROOT).equals("content-length:")) {
            contentLength = Long.parseLong(line.substring(15).trim());
          }
        }
        long skipped = in.skip(contentLength);
        while (skipped < contentLength) {
          if (in.read() == -1) {
            return;
          }
          skipped += 1 + in.skip(contentLength - skipped - 1);
        }
        out.write(response);
        out.flush();
      }
    } catch (IOException e) {
      // The client went away; nothing to do.
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    serverSocket.close();
  }
}
