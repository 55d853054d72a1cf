// Sigma's frames drawn off screen and shown once the GPU side has finished them, so that the page never waits for a frame's WebGL drawing.

/** One WebGL layer's off-screen target: a framebuffer with a texture of the layer's size. */
interface GlTarget {
  readonly gl: WebGL2RenderingContext;
  /** The context's own `bindFramebuffer` (the one sigma calls is redirected while staging). */
  readonly bind: (target: number, fb: WebGLFramebuffer | null) => void;
  readonly fbo: WebGLFramebuffer;
  readonly tex: WebGLTexture;
  width: number;
  height: number;
}

/** One 2D layer's off-screen twin: sigma's context for it is swapped for the twin's while staging. */
interface FlatTarget {
  readonly id: string;
  readonly real: CanvasRenderingContext2D;
  readonly twin: CanvasRenderingContext2D;
}

/**
 * On software GL (SwiftShader, no GPU) a WebGL layer drawn in a frame is read back in that
 * frame's commit, and the read-back waits until the GPU side has run every command before it:
 * the page's main thread sat idle in one task for as long as the frame took to draw (a frame of
 * an expanded node, ~2,000 nodes and their fan of edges, was the page's longest task). While a
 * frame is staged, sigma draws its WebGL layers into framebuffers of their own (which are not
 * composited) and its 2D layers into twins off the page; a fence per context says when the GPU
 * side is done, without waiting for it, and only then is the frame copied onto the layers in one
 * go (a blit per WebGL layer, a copy per 2D one). The picture is the same, shown when it is ready
 * instead of after a frozen page; frames asked for meanwhile are drawn after it (`busy`), and not
 * in the frame that shows it: a layer's read-back comes after every command sent to its context
 * before the commit, so a frame staged then would be waited for after all.
 */
export class FrameStage {
  private readonly gl: GlTarget[] = [];
  private readonly flat: FlatTarget[] = [];
  /** Draws go to the off-screen targets: from a staged frame's start until it is shown. */
  private active = false;
  /**
   * The staged frame's WebGL drawing goes to the layers themselves, which are hidden (nothing is
   * shown on them yet): a hidden layer is not read back, so it is staged as it is, without the
   * off-screen targets and their copy.
   */
  private direct = false;
  /** A staged frame was copied onto the layers in this frame: nothing more is drawn before its commit. */
  private settling = false;
  /** A staged frame waits for these fences before it is shown. */
  private fences: { gl: WebGL2RenderingContext; sync: WebGLSync }[] = [];
  private poll: number | null = null;
  private killed = false;

  /**
   * `webgl` and `canvas2d` are sigma's contexts (its own records: the 2D ones are swapped in them);
   * `shown` runs when a staged frame is copied onto the layers, `idle` when a new one can be drawn
   * (the next animation frame).
   */
  constructor(
    webgl: Record<string, WebGLRenderingContext>,
    private readonly canvas2d: Record<string, CanvasRenderingContext2D>,
    glIds: readonly string[],
    flatIds: readonly string[],
    private readonly shown: () => void,
    private readonly idle: () => void,
  ) {
    for (const id of glIds) {
      const gl = webgl[id];
      if (!(typeof WebGL2RenderingContext !== "undefined" && gl instanceof WebGL2RenderingContext)) continue;
      const fbo = gl.createFramebuffer();
      const tex = gl.createTexture();
      if (!fbo || !tex) continue;
      const bind = gl.bindFramebuffer.bind(gl);
      const target: GlTarget = { gl, bind, fbo, tex, width: 0, height: 0 };
      // Sigma draws a layer's picture into the default framebuffer (null); its picking pass has its own.
      gl.bindFramebuffer = (t: number, fb: WebGLFramebuffer | null) =>
        bind(t, fb === null && this.active && !this.direct ? fbo : fb);
      this.gl.push(target);
    }
    // All or nothing: a frame half staged would show its layers at different times.
    if (this.gl.length !== glIds.length) {
      this.gl.length = 0;
      return;
    }
    for (const id of flatIds) {
      const real = canvas2d[id];
      const twin = document.createElement("canvas").getContext("2d");
      if (real && twin) this.flat.push({ id, real, twin });
    }
  }

  /** Frames can be staged (WebGL 2, for its fences). */
  get available(): boolean {
    return this.gl.length > 0 && !this.killed;
  }

  /** A staged frame is drawn and not shown yet: draws go off screen, and a new frame should wait. */
  get busy(): boolean {
    return this.active || this.settling;
  }

  /**
   * Starts a staged frame: what sigma draws from now on goes to the off-screen targets (with
   * `hidden`, its WebGL drawing goes to the layers, which are hidden until the frame is shown).
   */
  begin(hidden = false): void {
    this.direct = hidden;
    for (const t of hidden ? [] : this.gl) {
      this.size(t);
      // Draws that bind nothing themselves (sigma's clear of the hover layer) land off screen too.
      t.bind(t.gl.FRAMEBUFFER, t.fbo);
    }
    for (const f of this.flat) {
      const c = f.real.canvas;
      const twin = f.twin.canvas;
      if (twin.width !== c.width || twin.height !== c.height) {
        twin.width = c.width;
        twin.height = c.height;
      }
      // Sigma scales its 2D contexts by the pixel ratio once, when it sizes them.
      f.twin.setTransform(f.real.getTransform());
      this.canvas2d[f.id] = f.twin;
    }
    this.active = true;
  }

  /** Gives a layer's off-screen target the size of the layer's drawing buffer (bound to it). */
  private size(t: GlTarget): void {
    const { gl } = t;
    const width = gl.drawingBufferWidth;
    const height = gl.drawingBufferHeight;
    if (width === t.width && height === t.height) return;
    t.width = width;
    t.height = height;
    gl.bindTexture(gl.TEXTURE_2D, t.tex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    t.bind(gl.FRAMEBUFFER, t.fbo);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, t.tex, 0);
    t.bind(gl.FRAMEBUFFER, null);
  }

  /**
   * Copies the (empty) off-screen targets onto the layers once, while they are out of layout:
   * software GL compiles the copy on its first use, which is then not in the first frame shown.
   */
  warm(): void {
    if (!this.available || this.busy) return;
    this.begin();
    for (const f of this.flat) this.canvas2d[f.id] = f.real;
    this.active = false;
    for (const t of this.gl) this.blit(t);
    for (const { gl } of this.gl) gl.flush();
  }

  /** Copies a layer's off-screen target onto it. */
  private blit(t: GlTarget): void {
    const { gl } = t;
    t.bind(gl.READ_FRAMEBUFFER, t.fbo);
    t.bind(gl.DRAW_FRAMEBUFFER, null);
    gl.blitFramebuffer(0, 0, t.width, t.height, 0, 0, t.width, t.height, gl.COLOR_BUFFER_BIT, gl.NEAREST);
    t.bind(gl.FRAMEBUFFER, null);
  }

  /** Ends the drawing of a staged frame: it is shown once the GPU side has finished it. */
  end(): void {
    for (const { gl } of this.gl) {
      const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
      if (sync) this.fences.push({ gl, sync });
      gl.flush();
    }
    // Until the frame is shown, draws between frames (a hovered node) go off screen too: the 2D
    // twins stay swapped in (`show` swaps sigma's own back).
    this.watch();
  }

  /** Checks the fences once a frame; a fence's status is refreshed between tasks, never waited for. */
  private watch(): void {
    if (this.poll !== null) return;
    this.poll = requestAnimationFrame(() => {
      this.poll = null;
      if (this.killed) return;
      const done = this.fences.every(
        ({ gl, sync }) => gl.isContextLost() || gl.getSyncParameter(sync, gl.SYNC_STATUS) === gl.SIGNALED,
      );
      if (done) this.show();
      else this.watch();
    });
  }

  /** Copies the staged frame onto the layers (in this animation frame, so in this frame's commit). */
  private show(): void {
    for (const { gl, sync } of this.fences) gl.deleteSync(sync);
    this.fences = [];
    const direct = this.direct;
    if (!direct) for (const t of this.gl) this.blit(t);
    this.direct = false;
    for (const f of this.flat) {
      this.canvas2d[f.id] = f.real;
      const ctx = f.real;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
      ctx.drawImage(f.twin.canvas, 0, 0);
      ctx.restore();
    }
    this.active = false;
    this.settling = true;
    this.shown();
    this.poll = requestAnimationFrame(() => {
      this.poll = null;
      this.settling = false;
      if (this.killed) return;
      // A frame drawn on hidden layers left the off-screen targets at their old size: they are
      // sized in a task of their own once it is shown, not in the next staged frame (a pan's first
      // still frame, say).
      if (direct) setTimeout(() => this.sizeIdle(), 0);
      this.idle();
    });
  }

  /** Sizes the off-screen targets, unless a frame is being staged (which sized them itself). */
  private sizeIdle(): void {
    if (this.killed || this.busy) return;
    for (const t of this.gl) {
      this.size(t);
      // A new texture's memory is only set up (zeroed) on its first use: cleared here, not in the
      // next staged frame. Sigma clears each layer with its own colour before drawing.
      const { gl } = t;
      const clear = gl.getParameter(gl.COLOR_CLEAR_VALUE) as Float32Array;
      t.bind(gl.FRAMEBUFFER, t.fbo);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.clearColor(clear[0] ?? 0, clear[1] ?? 0, clear[2] ?? 0, clear[3] ?? 0);
      t.bind(gl.FRAMEBUFFER, null);
      gl.flush();
    }
  }

  kill(): void {
    this.killed = true;
    if (this.poll !== null) cancelAnimationFrame(this.poll);
    this.poll = null;
    if (this.active) for (const f of this.flat) this.canvas2d[f.id] = f.real;
    this.active = false;
    this.direct = false;
    this.settling = false;
  }
}
