//! A virtual X display (Xvfb) with a host window to embed a plugin editor in, and screenshots of it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, CreateWindowAux, ImageFormat, Window, WindowClass};
use x11rb::rust_connection::RustConnection;

/// How long Xvfb may take to open its socket.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// First display number tried (high, to stay clear of a desktop's).
const FIRST_DISPLAY: u32 = 87;

/// An Xvfb server, killed when dropped.
pub struct VirtualDisplay {
    server: Child,
    name: String,
}

impl VirtualDisplay {
    /// Starts Xvfb on a free display number with a 24-bit screen of `width` × `height`.
    pub fn start(width: u32, height: u32) -> Self {
        let free = |n: &u32| !socket_path(*n).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists();
        let number = (FIRST_DISPLAY..FIRST_DISPLAY + 100).find(free).expect("a free X display number");
        let server = Command::new("Xvfb")
            .args([format!(":{number}"), "-screen".into(), "0".into(), format!("{width}x{height}x24"), "-nolisten".into(), "tcp".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start Xvfb ({e}); install it with scripts/install-system-deps.sh (package xvfb)"));
        let display = Self { server, name: format!(":{number}") };
        let deadline = Instant::now() + START_TIMEOUT;
        while !socket_path(number).exists() {
            assert!(Instant::now() < deadline, "Xvfb {} did not open its socket within {START_TIMEOUT:?}", display.name);
            std::thread::sleep(Duration::from_millis(50));
        }
        display
    }

    /// The display name (`:87`), for `DISPLAY`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for VirtualDisplay {
    /// SIGTERM first, so Xvfb removes its socket and lock file; SIGKILL only if that fails.
    fn drop(&mut self) {
        let terminated = Command::new("kill").arg(self.server.id().to_string()).status().is_ok_and(|s| s.success());
        if !terminated {
            let _ = self.server.kill();
        }
        let _ = self.server.wait();
    }
}

fn socket_path(number: u32) -> PathBuf {
    PathBuf::from(format!("/tmp/.X11-unix/X{number}"))
}

/// A top-level window standing in for a host's plugin window.
pub struct HostWindow {
    connection: RustConnection,
    root: Window,
    window: Window,
    size: (u16, u16),
}

impl HostWindow {
    /// Creates and maps a `width` × `height` window at the top-left of `display`.
    pub fn open(display: &VirtualDisplay, width: u16, height: u16) -> Self {
        let (connection, screen) = x11rb::connect(Some(display.name())).expect("connect to Xvfb");
        let root = connection.setup().roots[screen].root;
        let window = connection.generate_id().expect("an X window id");
        let aux = CreateWindowAux::new().background_pixel(0x0030_3030);
        connection
            .create_window(0, window, root, 0, 0, width, height, 0, WindowClass::INPUT_OUTPUT, 0, &aux)
            .and_then(|_| connection.map_window(window))
            .expect("create the host window");
        // A round trip, not just a flush: the plugin reparents into this window over its own
        // connection, and the server must have made it by then (a flush alone lost that race).
        connection.get_input_focus().map(|cookie| cookie.reply()).expect("GetInputFocus request").expect("X server round trip");
        Self { connection, root, window, size: (width, height) }
    }

    /// The X11 window id to hand to the plugin as its parent.
    pub fn id(&self) -> u32 {
        self.window
    }

    /// The window's pixels as RGB rows (read from the screen, so embedded child windows show).
    pub fn capture(&self) -> Screenshot {
        let (width, height) = self.size;
        let image = self
            .connection
            .get_image(ImageFormat::Z_PIXMAP, self.root, 0, 0, width, height, !0)
            .map(|cookie| cookie.reply())
            .expect("GetImage request")
            .expect("GetImage reply");
        // 24-bit depth arrives as 32-bit little-endian pixels: B, G, R, unused.
        let rgb = image.data.chunks_exact(4).flat_map(|p| [p[2], p[1], p[0]]).collect();
        Screenshot { width: u32::from(width), height: u32::from(height), rgb }
    }
}

/// An RGB image.
pub struct Screenshot {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Screenshot {
    /// How many different colours the image has (1 for an empty window).
    pub fn distinct_colours(&self) -> usize {
        let mut colours: Vec<[u8; 3]> = self.rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
        colours.sort_unstable();
        colours.dedup();
        colours.len()
    }

    /// Pixels whose `[r, g, b]` satisfies `wanted`.
    pub fn count_matching(&self, wanted: impl Fn([u8; 3]) -> bool) -> usize {
        self.rgb.chunks_exact(3).filter(|p| wanted([p[0], p[1], p[2]])).count()
    }

    /// Writes the image as a PNG (creating the folder).
    pub fn save_png(&self, path: &Path) {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).unwrap_or_else(|e| panic!("cannot create {}: {e}", folder.display()));
        }
        let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().expect("PNG header");
        writer.write_image_data(&self.rgb).expect("PNG data");
    }
}
