// The `basic` subcommand of fs_ops, included by tests/programs/fs_ops.rs
// (rt0) and by tests/oracle/fs_oracle.rs (std): each side first brings
// into scope `fs` (with `symlink`), `File`, `OpenOptions`, `Permissions`,
// `Path`, `PathBuf`, `Read`, `Seek`, `SeekFrom`, `Write`, `IoError`,
// `IoResult`, `println!`, `format!` and `bpath` (bytes as a path), plus
// std's Unix extension traits on the std side. Every call prints one line,
// so the two outputs can be compared line by line.

/// Prints `label: ok VALUE` or `label: err KIND: MESSAGE`.
fn show<T: Debug>(label: &str, r: IoResult<T>) {
    match r {
        Ok(v) => println!("{label}: ok {v:?}"),
        Err(e) => println!("{label}: err {:?}: {e}", e.kind()),
    }
}

fn basic(dir: &Path) {
    let a = dir.join("a.txt");
    show("write", fs::write(&a, "hello"));
    show("read_to_string", fs::read_to_string(&a));
    show("read", fs::read(&a).map(|v| v.len()));
    show("open missing", File::open(dir.join("missing")));
    show(
        "create_new existing",
        OpenOptions::new().write(true).create_new(true).open(&a),
    );
    show("open no access", OpenOptions::new().open(&a));
    show(
        "truncate read-only",
        OpenOptions::new().read(true).truncate(true).open(&a),
    );
    show("create no access", OpenOptions::new().create(true).open(&a));
    show(
        "append and truncate",
        OpenOptions::new().append(true).truncate(true).open(&a),
    );
    show(
        "append create_new existing",
        OpenOptions::new().append(true).truncate(true).create_new(true).open(&a),
    );
    show(
        "write and append",
        OpenOptions::new().write(true).append(true).open(&a).map(|_| ()),
    );
    {
        let mut f = OpenOptions::new().append(true).open(&a).unwrap();
        f.write_all(b" world").unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        f.write_all(b"!").unwrap();
    }
    show("after append", fs::read_to_string(&a));
    {
        let mut f = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&a)
            .unwrap();
        f.write_all(b"new").unwrap();
    }
    show("after truncate", fs::read_to_string(&a));
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .mode(0o640)
            .open(dir.join("m.txt"))
            .unwrap();
        f.write_all(b"0123456789").unwrap();
        show(
            "mode 0640",
            f.metadata()
                .map(|m| format!("{:o}", m.permissions().mode())),
        );
    }
    // Seek, set_len, sync, clones and positioned I/O.
    {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.join("m.txt"))
            .unwrap();
        show("seek end -3", f.seek(SeekFrom::End(-3)));
        let mut b = [0u8; 3];
        f.read_exact(&mut b).unwrap();
        println!("read after seek: {:?}", core::str::from_utf8(&b).unwrap());
        show("seek current -5", f.seek(SeekFrom::Current(-5)));
        show("stream_position", f.stream_position());
        show("seek before start", f.seek(SeekFrom::Current(-100)));
        show("seek past end", f.seek(SeekFrom::Start(20)));
        f.write_all(b"Z").unwrap();
        show("len after write past end", f.metadata().map(|m| m.len()));
        let mut all = Vec::new();
        f.rewind().unwrap();
        f.read_to_end(&mut all).unwrap();
        println!("hole: {:?}", &all[8..]);
        show("set_len 4", f.set_len(4));
        show("len after set_len 4", f.metadata().map(|m| m.len()));
        show("set_len 6", f.set_len(6));
        show("content after set_len", fs::read(dir.join("m.txt")));
        show("sync_all", f.sync_all());
        show("sync_data", f.sync_data());
        let c = f.try_clone().unwrap();
        f.seek(SeekFrom::Start(1)).unwrap();
        show("clone shares offset", (&c).stream_position());
        println!(
            "clone fd above 2: {}",
            c.as_raw_fd() > 2 && c.as_raw_fd() != f.as_raw_fd()
        );
        show("write_at", f.write_at(b"XY", 2));
        let mut b = [0u8; 6];
        show("read_at", f.read_at(&mut b, 0).map(|n| (n, b)));
        show("offset unchanged", f.stream_position());
        let raw = c.into_raw_fd();
        // SAFETY: raw came from into_raw_fd just above; nothing else owns it.
        let back = unsafe { File::from_raw_fd(raw) };
        show("from_raw_fd read", (&back).seek(SeekFrom::Start(0)));
        let dbg = format!("{f:?}");
        println!(
            "debug has path: {}",
            dbg.contains("m.txt") && dbg.contains("read: true")
        );
    }
    // Directories.
    let sub = dir.join("sub");
    show("create_dir", fs::create_dir(&sub));
    show("create_dir again", fs::create_dir(&sub));
    show(
        "create_dir_all deep",
        fs::create_dir_all(dir.join("deep/x/y/z")),
    );
    show(
        "create_dir_all again",
        fs::create_dir_all(dir.join("deep/x/y/z")),
    );
    show(
        "create_dir_all over file",
        fs::create_dir_all(dir.join("a.txt/q")),
    );
    show(
        "create_dir missing parent",
        fs::create_dir(dir.join("nope/q")),
    );
    show(
        "DirBuilder 0700 recursive",
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir.join("built/a/b")),
    );
    show(
        "built mode",
        fs::metadata(dir.join("built/a")).map(|m| format!("{:o}", m.permissions().mode())),
    );
    show("DirBuilder exists", fs::DirBuilder::new().create(dir.join("built")));
    show("remove built", fs::remove_dir_all(dir.join("built")));
    fs::write(dir.join("deep/x/f"), "f").unwrap();
    show("remove_dir not empty", fs::remove_dir(dir.join("deep")));
    show("remove_dir on file", fs::remove_dir(&a));
    show("remove_file on dir", fs::remove_file(&sub));
    show(
        "open dir for write",
        OpenOptions::new().write(true).open(&sub),
    );
    show("read_dir on file", fs::read_dir(&a).map(|_| ()));
    show("read of a dir", fs::read(&sub));
    show(
        "is_dir/is_file",
        Ok::<_, IoError>((sub.is_dir(), a.is_file(), sub.is_file())),
    );
    // Names: rename, links.
    let b = dir.join("b.txt");
    show("rename", fs::rename(&a, &b));
    show(
        "exists old/new",
        Ok::<_, IoError>((a.exists(), b.exists())),
    );
    show("rename missing", fs::rename(&a, &b));
    show("hard_link", fs::hard_link(&b, dir.join("b2.txt")));
    show("nlink", fs::metadata(&b).map(|m| m.nlink()));
    show("hard_link existing", fs::hard_link(&b, dir.join("b2.txt")));
    let l = dir.join("link");
    show("symlink", fs::symlink("deep/x", &l));
    show("read_link", fs::read_link(&l));
    show("read_link on file", fs::read_link(&b));
    show(
        "symlink_metadata is_symlink",
        fs::symlink_metadata(&l).map(|m| m.is_symlink()),
    );
    show("metadata follows", fs::metadata(&l).map(|m| m.is_dir()));
    show("through link", fs::read_to_string(l.join("f")));
    show("dangling", fs::symlink("nowhere", dir.join("dangling")));
    show(
        "metadata dangling",
        fs::metadata(dir.join("dangling")).map(|_| ()),
    );
    show(
        "create_new on dangling",
        File::create_new(dir.join("dangling")).map(|_| ()),
    );
    match fs::canonicalize(dir.join("deep/../link/./f")) {
        Ok(p) => println!("canonicalize: {}", p.display()),
        Err(e) => println!("canonicalize: err {e}"),
    }
    show(
        "canonicalize missing",
        fs::canonicalize(dir.join("missing/..")),
    );
    let long_target: Vec<u8> = core::iter::repeat_n(b'x', 3000).collect();
    show(
        "long symlink",
        fs::symlink(bpath(&long_target), dir.join("longlink")),
    );
    show(
        "long read_link",
        fs::read_link(dir.join("longlink")).map(|p| p.to_str().map(str::len)),
    );
    show("loop1", fs::symlink("loop2", dir.join("loop1")));
    show("loop2", fs::symlink("loop1", dir.join("loop2")));
    show("metadata of a loop", fs::metadata(dir.join("loop1")).map(|_| ()));
    show("open a loop", File::open(dir.join("loop1")).map(|_| ()));
    show("canonicalize a loop", fs::canonicalize(dir.join("loop2")));
    show("open dangling", File::open(dir.join("dangling")).map(|_| ()));
    show("remove loop1", fs::remove_file(dir.join("loop1")));
    show("remove loop2", fs::remove_file(dir.join("loop2")));
    // Copy and permissions.
    show("copy", fs::copy(&b, dir.join("c.txt")));
    show("copy content", fs::read_to_string(dir.join("c.txt")));
    show("copy a dir", fs::copy(&sub, dir.join("c2")));
    show(
        "set_permissions",
        fs::set_permissions(&b, Permissions::from_mode(0o400)),
    );
    show(
        "readonly",
        fs::metadata(&b).map(|m| (m.permissions().readonly(), format!("{:o}", m.permissions().mode()))),
    );
    fs::set_permissions(&b, Permissions::from_mode(0o644)).unwrap();
    // Times.
    let m = fs::metadata(&b).unwrap();
    let age = m.modified().unwrap().elapsed();
    println!("mtime recent: {}", age.is_ok_and(|d| d.as_secs() < 3600));
    show("created", m.created().map(|_| ()));
    // Text and bad input.
    fs::write(dir.join("bin"), b"\xff\xfe").unwrap();
    show(
        "read_to_string not utf8",
        fs::read_to_string(dir.join("bin")),
    );
    show("nul in path", File::open("a\0b"));
    show("nul in metadata", fs::metadata(bpath(b"x\0")));
    let long: Vec<u8> = core::iter::repeat_n(b'n', 300).collect();
    show("name too long", File::open(dir.join(bpath(&long))));
    let very_long: PathBuf = (0..1500).map(|_| "ab").collect();
    show("path too long", fs::metadata(&very_long));
    show("empty path", fs::metadata(""));
    // remove_dir_all, through a link that must not be followed.
    fs::symlink(dir.join("sub"), dir.join("deep/x/y/to_sub")).unwrap();
    fs::write(dir.join("sub/keep"), "kept").unwrap();
    show("remove_dir_all", fs::remove_dir_all(dir.join("deep")));
    show("deep exists", fs::exists(dir.join("deep")));
    show("link target kept", fs::read_to_string(dir.join("sub/keep")));
    show(
        "remove_dir_all missing",
        fs::remove_dir_all(dir.join("deep")),
    );
    show("remove_dir_all on symlink", fs::remove_dir_all(&l));
    show("remove_file", fs::remove_file(dir.join("b2.txt")));
    show("remove_file missing", fs::remove_file(dir.join("b2.txt")));
    let mut names: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        // std's file_name is an OsString, rt0's a PathBuf already.
        .map(|e| {
            #[allow(clippy::useless_conversion)]
            PathBuf::from(e.unwrap().file_name())
        })
        .collect();
    names.sort();
    println!("left: {names:?}");
}
